/**
 * The seed's scenario end to end: five test failovers stuck at different steps (after the snapshots,
 * after the VM creation, after the volume moves, during virtio injection, after the start) are found
 * by the reconcilers and cleaned up by one acting pass of the engine.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletedPass } from '../../src/engine/run-pass.js';
import { readCleanupRequest } from '../../src/engine/store/cleanup-requests.js';
import { makeStuckFailover, STUCK_STAGES, type StuckFailover } from './helpers/stuck-failover.js';
import { startWorkflowHarness, type WorkflowHarness } from './helpers/workflow-harness.js';

describe('five test failovers stuck at different steps', () => {
  let h: WorkflowHarness;
  let stuck: StuckFailover[];
  let pass: CompletedPass;

  beforeAll(async () => {
    h = await startWorkflowHarness({
      statuses: [...STUCK_STAGES.map(() => 'failed_over_test' as const), 'ready_for_failover'],
      dataDisks: 2,
    });
    stuck = [];
    for (const [i, stage] of STUCK_STAGES.entries()) {
      stuck.push(await makeStuckFailover(h, h.env.world.contexts[i]!, stage));
    }
    h.env.sim.stats.reset();
    pass = await h.pass();
  });
  afterAll(async () => h.close());

  it('runs one failed-execution cleanup per stuck failover in a single pass, each successful', () => {
    const runs = pass.executed.filter((e) => e.action === 'run-failed-execution-cleanup');
    expect(runs.map((r) => r.driftId).sort()).toEqual(
      stuck.map((s) => `stuck-failover-job:failover-job:${s.failover.jobId}`).sort(),
    );
    for (const r of runs) expect(r, r.message).toMatchObject({ result: 'success' });
  });

  it('leaves every VM ready_for_failover with no current job and its failover marked failed', async () => {
    for (const s of stuck) {
      const ctx = await h.db.db
        .selectFrom('vm_replication_contexts')
        .select(['current_status', 'current_job_id', 'last_operation_summary'])
        .where('context_id', '=', s.context.contextId)
        .executeTakeFirstOrThrow();
      expect(ctx, s.stage).toMatchObject({ current_status: 'ready_for_failover', current_job_id: null });
      expect(JSON.stringify(ctx.last_operation_summary)).toContain('failed_execution_cleanup');
      const fo = await h.db.db
        .selectFrom('failover_jobs')
        .select(['status', 'error_message'])
        .where('job_id', '=', s.failover.jobId)
        .executeTakeFirstOrThrow();
      expect(fo.status, s.stage).toBe('failed');
      const tracking = await h.db.db
        .selectFrom('job_tracking')
        .select('status')
        .where('id', '=', s.failover.jobId)
        .executeTakeFirstOrThrow();
      expect(tracking.status, s.stage).toBe('failed');
    }
  });

  it('puts every volume back on the OMA with its oma device mapping, reverted to its snapshot', async () => {
    for (const s of stuck) {
      for (const v of s.context.volumes) {
        const live = h.env.sim.state.getVolume(v.volumeId);
        expect(live?.vmId, `${s.stage} ${v.name}`).toBe(h.omaVmId);
        const map = await h.db.db
          .selectFrom('device_mappings')
          .selectAll()
          .where('volume_uuid', '=', v.volumeId)
          .execute();
        expect(map.map((m) => [m.vm_id, m.operation_mode, m.device_path])).toEqual([[h.omaVmId, 'oma', v.byIdPath]]);
        const row = await h.db.db
          .selectFrom('ossea_volumes')
          .selectAll()
          .where('volume_id', '=', v.volumeId)
          .executeTakeFirstOrThrow();
        expect(row).toMatchObject({
          device_path: v.byIdPath,
          status: 'attached',
          snapshot_id: null,
          snapshot_status: 'none',
        });
      }
      for (const [volumeId, size] of s.written) {
        expect(h.env.sim.state.getVolume(volumeId)?.sizeBytes, `${s.stage}: revert restores the snapshot`).toBe(size);
      }
    }
    // Every volume had a snapshot: each was reverted exactly once.
    expect(h.env.sim.stats.requests('revertSnapshot')).toBe(stuck.length * 3);
  });

  it('exports every volume: conf file, active row, and the running nbd-server lists it after the one reload', async () => {
    const listed = await h.env.nbd!.nbdClientList();
    for (const s of stuck) {
      for (const v of s.context.volumes) {
        const name = `migration-vol-${v.volumeId}`;
        expect(await readFile(`${h.env.dirs.confDir}/${name}.conf`, 'utf8')).toContain(`exportname = ${v.byIdPath}`);
        const rows = await h.db.db
          .selectFrom('nbd_exports')
          .select(['status', 'device_path'])
          .where('export_name', '=', name)
          .execute();
        expect(rows).toEqual([{ status: 'active', device_path: v.byIdPath }]);
        expect(listed, `${s.stage} ${name}`).toContain(name);
      }
    }
  });

  it('deletes every failover snapshot and every test VM with its template ROOT volume', () => {
    for (const s of stuck) {
      for (const v of s.context.volumes) {
        const snap = v.snapshot ? h.env.sim.state.getSnapshot(v.snapshot.id) : undefined;
        expect(snap === undefined || snap.state === 'Destroyed', `${s.stage} snapshot of ${v.name}`).toBe(true);
      }
      expect(h.env.sim.state.getVirtualMachine(s.failover.destinationVm.id), s.stage).toBeUndefined();
      if (s.templateRootId) expect(h.env.sim.state.getVolume(s.templateRootId)).toBeUndefined();
    }
  });

  it('records each cleanup as a completed cleanup job with nine steps, and the request done', async () => {
    for (const s of stuck) {
      const request = await readCleanupRequest(h.db.db, s.failover.jobId);
      expect(request?.status, `${s.stage}: ${request?.message ?? ''}`).toBe('done');
      expect(request?.requested_by).toBe('oma-reconciler (automatic)');
      expect(request?.steps.map((x) => [x.name, x.status])).toEqual(
        [
          'analyze-failed-execution',
          'test-vm-shutdown',
          'volume-detachment',
          'snapshot-revert',
          'snapshot-deletion',
          'test-vm-deletion',
          'volume-reattachment-to-oma',
          'database-reset',
          'validation',
        ].map((n) => [n, 'completed']),
      );
      const job = await h.db.db
        .selectFrom('job_tracking')
        .selectAll()
        .where('id', '=', request?.tracking_job_id ?? '')
        .executeTakeFirstOrThrow();
      expect(job).toMatchObject({
        job_type: 'cleanup',
        operation: 'failed-execution-cleanup',
        status: 'completed',
        owner: 'oma-reconciler',
        job_category: 'system',
        context_id: s.context.contextId,
      });
      expect(job.external_job_id).toMatch(new RegExp(`^failed-execution-cleanup-${s.context.vmName}-\\d{10}$`));
    }
  });

  it('leaves no drift of any kind for the five VMs and the untouched one (the §8 invariants hold)', async () => {
    for (const ctx of h.env.world.contexts) expect(await h.driftOf(ctx.contextId), ctx.vmName).toEqual([]);
  });
});
