/**
 * Many kinds of drift at once, as a neglected appliance accumulates them: the repairs must not
 * trip over each other (an export and its mapping, a detach and its link, a job and its context),
 * the appliance must satisfy every invariant within five passes, and a further pass does nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContextStatus } from '../../src/db/schema-types.js';
import type { WorldContext } from '../../src/appliance-world/appliance-world.js';
import { startHarness, type Harness } from './helpers/appliance-harness.js';
import { executedActions } from './helpers/audit.js';
import { checkInvariants } from './helpers/check-invariants.js';
import {
  byIdPath,
  deleteContext,
  insertNbdRow,
  newVolumeId,
  removeExportFile,
  secondsAgo,
  writeExportFile,
} from './helpers/inject-drift.js';
import { readAppliance } from './helpers/read-appliance.js';
import type { CompletedPass } from '../../src/engine/run-pass.js';

describe('an appliance with a dozen kinds of drift at once', () => {
  let h: Harness;
  let passes: CompletedPass[];
  const nth = (status: ContextStatus, n: number): WorldContext => {
    const ctx = h.env.world.contexts.filter((c) => c.status === status)[n];
    if (!ctx) throw new Error(`no context ${n} in ${status}`);
    return ctx;
  };
  const volume = (ctx: WorldContext, n: number): string => ctx.volumes[n]?.volumeId ?? '';

  beforeAll(async () => {
    h = await startHarness({ spec: { vmCount: 18 } }); // three contexts per status
    await h.pass();
    const db = h.db.db;
    // orphan-volume + orphan-nbd-export: a deleted context.
    await deleteContext(h, nth('ready_for_failover', 0).contextId);
    // volume-attachment + device-mapping (stale): a data disk detached behind the daemon's back.
    h.env.sim.state.detachVolume(volume(nth('ready_for_failover', 1), 0));
    // missing-nbd-export + live-export-mismatch: an export lost with its row.
    const lost = `migration-vol-${volume(nth('ready_for_failover', 1), 1)}`;
    await removeExportFile(h, lost);
    await db.deleteFrom('nbd_exports').where('export_name', '=', lost).execute();
    // missing-nbd-export (mismatch): an export pointing at the wrong device.
    await writeExportFile(h, `migration-vol-${volume(nth('ready_for_failover', 2), 0)}`, '/dev/vdz');
    // stuck-replication-job: a current_job_id left on a completed job, and a setup phase that died.
    const ready2 = nth('ready_for_failover', 2);
    await db
      .updateTable('vm_replication_contexts')
      .set({ current_job_id: ready2.replicationJobs.at(-1)?.id ?? null })
      .where('context_id', '=', ready2.contextId)
      .execute();
    await db
      .updateTable('replication_jobs')
      .set({ status: 'attaching', updated_at: secondsAgo(7200), vma_last_poll_at: null })
      .where('id', '=', nth('replicating', 0).currentJobId ?? '')
      .execute();
    // device-mapping: a missing row and a stale one.
    await db
      .deleteFrom('device_mappings')
      .where('volume_uuid', '=', volume(nth('failed', 0), 0))
      .execute();
    const gone = newVolumeId();
    await db
      .insertInto('device_mappings')
      .values({
        vm_context_id: null,
        volume_uuid: gone,
        vm_id: h.omaVmId,
        operation_mode: 'oma',
        device_path: byIdPath(h, gone),
        cloudstack_state: 'attached',
        linux_state: 'detected',
        size: 0,
      })
      .execute();
    // orphan-snapshot.
    h.env.sim.state.addSnapshot({
      volumeId: volume(nth('failed', 1), 0),
      name: 'multi-test-failover-disk-2000-1700000000',
    });
    // orphan-row: an export row of a vanished volume, a legacy mapping, a stale operation.
    const vanished = newVolumeId();
    await insertNbdRow(h, {
      contextId: null,
      volumeId: vanished,
      exportName: `migration-vol-${vanished}`,
      devicePath: byIdPath(h, vanished),
    });
    await db
      .insertInto('vm_export_mappings')
      .values({
        vm_id: 'legacy-vm',
        disk_unit_number: 0,
        vm_name: 'legacy',
        export_name: 'migration-vm-legacy-disk0',
        device_path: '/dev/vdq',
        status: 'active',
      })
      .execute();
    await db
      .insertInto('volume_operations')
      .values({
        id: 'op-stale',
        type: 'detach',
        status: 'pending',
        volume_id: volume(nth('failed', 2), 0),
        vm_id: h.omaVmId,
        request: '{}',
        created_at: secondsAgo(7200),
        updated_at: secondsAgo(7200),
      })
      .execute();
    // orphan-nbd-export: a file for a volume that never existed.
    const never = newVolumeId();
    await writeExportFile(h, `migration-vol-${never}`, byIdPath(h, never));

    passes = await h.applyUntilStable();
  });
  afterAll(async () => {
    await h.close();
  });

  it('repairs everything repairable within five passes, each action once', () => {
    expect(passes.length).toBeLessThanOrEqual(5);
    const done = executedActions(passes);
    expect(done.filter((a) => !a.endsWith('→ success'))).toEqual([]);
    // The re-attach writes its own mapping (one writer per volume): only the missing row is created.
    expect(done.filter((a) => !a.startsWith('live-export-mismatch'))).toEqual([
      'device-mapping create-device-mapping → success',
      'device-mapping delete-device-mapping → success',
      'device-mapping delete-device-mapping → success',
      'missing-nbd-export add-nbd-export → success',
      'missing-nbd-export add-nbd-export → success',
      'orphan-nbd-export remove-nbd-export → success',
      'orphan-nbd-export remove-nbd-export → success',
      'orphan-nbd-export remove-nbd-export → success',
      'orphan-row delete-row → success',
      'orphan-row delete-row → success',
      'orphan-row fail-volume-operation → success',
      'orphan-snapshot delete-snapshot → success',
      'orphan-volume quarantine-volume → success',
      'orphan-volume quarantine-volume → success',
      'stuck-replication-job clear-current-job → success',
      'stuck-replication-job clear-current-job → success',
      'stuck-replication-job mark-replication-job-failed → success',
      'volume-attachment attach-volume-to-oma → success',
    ]);
  });

  it('satisfies every §8 invariant afterwards', async () => {
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
  });

  it('has nothing left to do but wait out the quarantine of the two orphan volumes', async () => {
    const again = await h.pass();
    expect(again.executed).toEqual([]);
    expect(
      again.gated.map(
        (d) => `${d.kind}: ${d.actions.map((a) => `${a.action} blocked by ${a.blockedBy ?? 'nothing'}`).join()}`,
      ),
    ).toEqual(Array(2).fill('orphan-volume: delete-volume blocked by grace'));
  });
});
