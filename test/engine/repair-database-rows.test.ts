/**
 * Database drift repaired end to end: device mappings that disagree with CloudStack, rows that
 * point at nothing, stale Volume Daemon operations, and replication jobs that block their context.
 */
import { describe, expect, it } from 'vitest';
import { useSettledHarness, type Harness } from './helpers/appliance-harness.js';
import { executedActions } from './helpers/audit.js';
import { checkInvariants } from './helpers/check-invariants.js';
import { expectRepairedAndIdle } from './helpers/expect-repaired.js';
import { byIdPath, contextIn, insertNbdRow, newVolumeId, secondsAgo } from './helpers/inject-drift.js';
import { readAppliance } from './helpers/read-appliance.js';

describe('database drift on a running appliance', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('makes device_mappings agree with CloudStack: a missing row created, a stale one deleted, a wrong one corrected', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const [missing, wrong] = ctx.volumes.map((v) => v.volumeId);
    const testVm = contextIn(h, 'failed_over_test').failover?.destinationVm.id ?? '';
    await h.db.db
      .deleteFrom('device_mappings')
      .where('volume_uuid', '=', missing ?? '')
      .execute();
    await h.db.db
      .updateTable('device_mappings')
      .set({ vm_id: testVm, operation_mode: 'failover', device_path: `remote-vm-${testVm}-x` })
      .where('volume_uuid', '=', wrong ?? '')
      .execute();
    const gone = newVolumeId();
    await h.db.db
      .insertInto('device_mappings')
      .values({
        vm_context_id: ctx.contextId,
        volume_uuid: gone,
        vm_id: h.omaVmId,
        operation_mode: 'oma',
        device_path: byIdPath(h, gone),
        cloudstack_state: 'attached',
        linux_state: 'detected',
        size: 0,
      })
      .execute();

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual([
      'device-mapping create-device-mapping → success',
      'device-mapping delete-device-mapping → success',
      'device-mapping update-device-mapping → success',
    ]);
    await expectRepairedAndIdle(h);
  });

  it('deletes nbd_exports rows of vanished volumes and unused legacy vm_export_mappings, and fails a stale volume operation', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const gone = newVolumeId();
    await insertNbdRow(h, {
      contextId: ctx.contextId,
      volumeId: gone,
      exportName: `migration-vol-${gone}`,
      devicePath: byIdPath(h, gone),
    });
    await h.db.db
      .insertInto('vm_export_mappings')
      .values({
        vm_id: ctx.vmwareVmId,
        disk_unit_number: 0,
        vm_name: ctx.vmName,
        export_name: `migration-vm-${ctx.vmwareVmId}-disk0`,
        device_path: '/dev/vdq',
        status: 'active',
      })
      .execute();
    const opVolume = ctx.volumes[0]?.volumeId ?? '';
    await h.db.db
      .insertInto('volume_operations')
      .values({
        id: 'op-stale-1',
        type: 'attach',
        status: 'executing',
        volume_id: opVolume,
        vm_id: h.omaVmId,
        request: JSON.stringify({ volume_id: opVolume }),
        created_at: secondsAgo(7200),
        updated_at: secondsAgo(7200),
      })
      .execute();

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual([
      'orphan-row delete-row → success',
      'orphan-row delete-row → success',
      'orphan-row fail-volume-operation → success',
    ]);
    const after = await readAppliance(h);
    expect(after.db.nbdExports.some((e) => e.volume_id === gone)).toBe(false);
    expect(after.db.vmExportMappings).toEqual([]);
    expect(after.db.volumeOperations.map((o) => [o.id, o.status])).toEqual([['op-stale-1', 'failed']]);
    await expectRepairedAndIdle(h);
  });

  it('fails a replication job stuck in a setup phase and frees its context for the next replication (incident 5)', async () => {
    const ctx = contextIn(h, 'replicating');
    const jobId = ctx.currentJobId ?? '';
    await h.db.db
      .updateTable('replication_jobs')
      .set({ status: 'attaching', updated_at: secondsAgo(7200), vma_last_poll_at: null })
      .where('id', '=', jobId)
      .execute();

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual([
      'stuck-replication-job clear-current-job → success',
      'stuck-replication-job mark-replication-job-failed → success',
    ]);
    const job = await h.db.db
      .selectFrom('replication_jobs')
      .select(['status', 'error_message'])
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(job.status).toBe('failed');
    expect(job.error_message).toMatch(/stuck in setup phase attaching/);
    const context = await h.db.db
      .selectFrom('vm_replication_contexts')
      .select(['current_job_id', 'current_status'])
      .where('context_id', '=', ctx.contextId)
      .executeTakeFirstOrThrow();
    expect(context).toEqual({ current_job_id: null, current_status: 'failed' });
    await expectRepairedAndIdle(h);
  });

  it('clears a current_job_id that still points at a completed job', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const done = ctx.replicationJobs.at(-1)?.id ?? '';
    await h.db.db
      .updateTable('vm_replication_contexts')
      .set({ current_job_id: done })
      .where('context_id', '=', ctx.contextId)
      .execute();
    expect(checkInvariants(await readAppliance(h))).toEqual([
      `§8.6 ${ctx.vmName}: current_job_id ${done} is completed`,
    ]);

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual(['stuck-replication-job clear-current-job → success']);
    const context = await h.db.db
      .selectFrom('vm_replication_contexts')
      .select(['current_job_id', 'current_status'])
      .where('context_id', '=', ctx.contextId)
      .executeTakeFirstOrThrow();
    expect(context).toEqual({ current_job_id: null, current_status: 'ready_for_failover' });
    await expectRepairedAndIdle(h);
  });
});
