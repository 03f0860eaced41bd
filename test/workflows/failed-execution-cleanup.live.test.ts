/**
 * A live failover's VM may be production: nothing recovers it automatically, and the workflow
 * itself refuses it without a request, touching nothing. With a request it is cleaned up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCleanup } from '../../src/engine/cleanup-request.js';
import { readCleanupRequest } from '../../src/engine/store/cleanup-requests.js';
import { makeStuckFailover, type StuckFailover } from './helpers/stuck-failover.js';
import { startWorkflowHarness, type WorkflowHarness } from './helpers/workflow-harness.js';

const MUTATING = [
  'stopVirtualMachine',
  'detachVolume',
  'attachVolume',
  'revertSnapshot',
  'deleteSnapshot',
  'destroyVirtualMachine',
  'deleteVolume',
];

describe('a stuck live failover', () => {
  let h: WorkflowHarness;
  let s: StuckFailover;
  const mutations = () => MUTATING.reduce((n, c) => n + h.env.sim.stats.requests(c), 0);
  const snapshotOfDb = async () => ({
    failover: await h.db.db
      .selectFrom('failover_jobs')
      .selectAll()
      .where('job_id', '=', s.failover.jobId)
      .executeTakeFirstOrThrow(),
    context: await h.db.db
      .selectFrom('vm_replication_contexts')
      .select(['current_status', 'current_job_id'])
      .where('context_id', '=', s.context.contextId)
      .executeTakeFirstOrThrow(),
    mappings: await h.db.db
      .selectFrom('device_mappings')
      .selectAll()
      .where('vm_context_id', '=', s.context.contextId)
      .orderBy('volume_uuid')
      .execute(),
    cleanupJobs: await h.db.db
      .selectFrom('job_tracking')
      .select('id')
      .where('operation', '=', 'failed-execution-cleanup')
      .execute(),
  });

  beforeAll(async () => {
    h = await startWorkflowHarness({ statuses: ['failed_over_live'], dataDisks: 1 });
    s = await makeStuckFailover(h, h.env.world.contexts[0]!, 'after-start');
    h.env.sim.stats.reset();
  });
  afterAll(async () => h.close());

  it('is reported by an acting pass but not acted on: no CloudStack change, no row changed', async () => {
    const before = await snapshotOfDb();
    const pass = await h.pass();
    const drift = pass.gated.find((d) => d.id === `stuck-failover-job:failover-job:${s.failover.jobId}`);
    expect(drift?.actions).toEqual([]);
    expect(drift?.note).toContain('a live failover is never recovered automatically');
    expect(mutations()).toBe(0);
    expect(await snapshotOfDb()).toEqual(before);
    expect(h.env.sim.state.getVirtualMachine(s.failover.destinationVm.id)?.state).toBe('Running');
  });

  it('is refused by the workflow itself when called without a request, leaving no record and no job behind', async () => {
    const before = await snapshotOfDb();
    const ctx = h.ctx();
    const result = await ctx.workflows.runFailedExecutionCleanup(
      { contextId: s.context.contextId, failoverJobId: s.failover.jobId, vmName: s.context.vmName },
      ctx,
    );
    expect(result).toMatchObject({ ok: false, terminal: true });
    expect(result.message).toContain('cleaned up only on request');
    expect(mutations()).toBe(0);
    expect(await snapshotOfDb()).toEqual(before);
    expect(await readCleanupRequest(h.db.db, s.failover.jobId)).toBeNull();
    expect(ctx.nbdTouched.value).toBe(false);
  });

  it('is cleaned up once an operator requests it: the next pass runs the cleanup to ready_for_failover', async () => {
    await requestCleanup(h.db.db, s.failover.jobId, 'operator', false, new Date());
    const pass = await h.pass();
    const run = pass.executed.find((e) => e.action === 'run-failed-execution-cleanup');
    expect(run, JSON.stringify(pass.executed)).toMatchObject({
      driftId: `cleanup-request:failover-job:${s.failover.jobId}`,
      result: 'success',
    });
    const request = await readCleanupRequest(h.db.db, s.failover.jobId);
    expect(request?.status, request?.message ?? '').toBe('done');
    expect(request?.requested_by).toBe('operator');
    for (const v of s.context.volumes) expect(h.env.sim.state.getVolume(v.volumeId)?.vmId).toBe(h.omaVmId);
    expect(await h.driftOf(s.context.contextId)).toEqual([]);
  });
});
