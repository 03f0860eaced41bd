/**
 * A revert that fails keeps its snapshot: the cleanup stops before deleting anything, the VM waits
 * in `cleanup_required` with the reason, and only a new request retries it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActuatorResult } from '../../src/engine/actuators/actuator-context.js';
import { requestCleanup } from '../../src/engine/cleanup-request.js';
import { readCleanupRequest } from '../../src/engine/store/cleanup-requests.js';
import { makeStuckFailover, type StuckFailover } from './helpers/stuck-failover.js';
import { startWorkflowHarness, type WorkflowHarness } from './helpers/workflow-harness.js';

describe('a failed revert during the failed-execution cleanup', () => {
  let h: WorkflowHarness;
  let s: StuckFailover;
  let first: ActuatorResult;
  const params = () => ({ contextId: s.context.contextId, failoverJobId: s.failover.jobId, vmName: s.context.vmName });

  beforeAll(async () => {
    h = await startWorkflowHarness({ statuses: ['failed_over_test'], dataDisks: 1 });
    s = await makeStuckFailover(h, h.env.world.contexts[0]!, 'after-start');
    // The storage refuses every revert (a broken primary storage, not a transient glitch).
    h.env.sim.faults.set('revertSnapshot', {
      jobFailure: { errorcode: 530, errortext: 'Failed to revert snapshot: qemu-img convert failed' },
    });
    const ctx = h.ctx();
    first = await ctx.workflows.runFailedExecutionCleanup(params(), ctx);
  });
  afterAll(async () => h.close());

  it('stops with a terminal failure naming the revert that failed', () => {
    expect(first.ok).toBe(false);
    expect(first.terminal).toBe(true);
    expect(first.message).toMatch(/revert of volume .* failed: .*qemu-img convert failed.*the snapshot is kept/);
  });

  it('keeps every snapshot of the failover', () => {
    for (const v of s.context.volumes) {
      expect(h.env.sim.state.getSnapshot(v.snapshot?.id ?? '')?.state, v.name).toBe('BackedUp');
    }
    expect(h.env.sim.stats.requests('deleteSnapshot')).toBe(0);
  });

  it('leaves the VM cleanup_required with the reason, the failover failed, and the request failed', async () => {
    const ctx = await h.db.db
      .selectFrom('vm_replication_contexts')
      .select(['current_status', 'last_operation_summary'])
      .where('context_id', '=', s.context.contextId)
      .executeTakeFirstOrThrow();
    expect(ctx.current_status).toBe('cleanup_required');
    expect(JSON.stringify(ctx.last_operation_summary)).toContain('qemu-img convert failed');
    const fo = await h.db.db
      .selectFrom('failover_jobs')
      .select(['status', 'error_message'])
      .where('job_id', '=', s.failover.jobId)
      .executeTakeFirstOrThrow();
    expect(fo.status).toBe('failed');
    expect(fo.error_message).toContain('qemu-img convert failed');
    const request = await readCleanupRequest(h.db.db, s.failover.jobId);
    expect(request).toMatchObject({ status: 'failed' });
    expect(request?.message).toContain('the snapshot is kept');
    expect(request?.steps.at(-1)).toMatchObject({ name: 'snapshot-revert', status: 'failed' });
  });

  it('does not destroy the test VM nor reattach anything after the stop', () => {
    expect(h.env.sim.state.getVirtualMachine(s.failover.destinationVm.id)?.state).toBe('Stopped');
    for (const v of s.context.volumes) expect(h.env.sim.state.getVolume(v.volumeId)?.vmId, v.name).toBeNull();
  });

  it('does not retry by itself: a later pass is told it waits for an operator', async () => {
    const reverts = h.env.sim.stats.requests('revertSnapshot');
    const ctx = h.ctx();
    const again = await ctx.workflows.runFailedExecutionCleanup(params(), ctx);
    expect(again).toMatchObject({ ok: false, terminal: true });
    expect(again.message).toContain('waiting for an operator');
    expect(h.env.sim.stats.requests('revertSnapshot')).toBe(reverts);
  });

  it('retries from the revert when an operator requests the cleanup again, and then finishes', async () => {
    h.env.sim.faults.clear();
    await requestCleanup(h.db.db, s.failover.jobId, 'operator', false, new Date());
    const ctx = h.ctx();
    const result = await ctx.workflows.runFailedExecutionCleanup(params(), ctx);
    expect(result.message).toContain('ready_for_failover');
    expect(result.ok).toBe(true);
    await h.applyNbd();
    for (const v of s.context.volumes) {
      expect(h.env.sim.state.getSnapshot(v.snapshot?.id ?? '')?.state ?? 'gone', v.name).not.toBe('BackedUp');
    }
    for (const [volumeId, size] of s.written) expect(h.env.sim.state.getVolume(volumeId)?.sizeBytes).toBe(size);
    expect(await h.driftOf(s.context.contextId)).toEqual([]);
  });
});
