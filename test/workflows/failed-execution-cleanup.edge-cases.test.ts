/**
 * The failed-execution cleanup where reality is not what the failover engine usually leaves: a test
 * VM that does not stop, a by-id link that never shows, a rollback point that is gone, and one of
 * our volumes serving as the root disk of a VM that is not ours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCleanup } from '../../src/engine/cleanup-request.js';
import { readCleanupRequest, writeCleanupStatus } from '../../src/engine/store/cleanup-requests.js';
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

describe('failed-execution cleanup edge cases', () => {
  let h: WorkflowHarness;
  const stuck: StuckFailover[] = [];
  const params = (s: StuckFailover) => ({
    contextId: s.context.contextId,
    failoverJobId: s.failover.jobId,
    vmName: s.context.vmName,
  });
  const mutations = () => MUTATING.reduce((n, c) => n + h.env.sim.stats.requests(c), 0);
  const contextStatus = async (s: StuckFailover) =>
    (
      await h.db.db
        .selectFrom('vm_replication_contexts')
        .select('current_status')
        .where('context_id', '=', s.context.contextId)
        .executeTakeFirstOrThrow()
    ).current_status;

  beforeAll(async () => {
    h = await startWorkflowHarness({
      statuses: ['failed_over_test', 'failed_over_test', 'failed_over_test', 'failed_over_test', 'failed_over_test'],
      dataDisks: 1,
    });
    const stages = ['after-start', 'after-start', 'after-start', 'after-snapshot', 'after-start'] as const;
    for (const [i, ctx] of h.env.world.contexts.entries()) stuck.push(await makeStuckFailover(h, ctx, stages[i]!));
  });
  afterAll(async () => h.close());

  it('forces the stop of a test VM whose graceful stop does not finish, then completes', async () => {
    const s = stuck[0]!;
    h.env.sim.faults.set('stopVirtualMachine', { jobHang: true, times: 1 });
    const stops = h.env.sim.stats.requests('stopVirtualMachine');
    const ctx = h.ctx({ stopTimeoutMs: 200 });
    const result = await ctx.workflows.runFailedExecutionCleanup(params(s), ctx);
    expect(result.ok, result.message).toBe(true);
    expect(h.env.sim.stats.requests('stopVirtualMachine') - stops).toBe(2);
    const request = await readCleanupRequest(h.db.db, s.failover.jobId);
    const log = await h.db.db
      .selectFrom('log_events')
      .select('message')
      .where('job_id', '=', request?.tracking_job_id ?? '')
      .execute();
    expect(log.map((l) => l.message)).toContainEqual(
      expect.stringContaining('stopped (forced after the graceful stop did not finish)'),
    );
    await h.applyNbd();
    expect(await h.driftOf(s.context.contextId)).toEqual([]);
  });

  it("stops before any change when a volume's rollback point is gone, leaving the VM cleanup_required", async () => {
    const s = stuck[2]!;
    const os = s.context.volumes.find((v) => v.isOsDisk)!;
    h.env.sim.state.removeSnapshot(os.snapshot?.id ?? '');
    const before = mutations();
    const ctx = h.ctx();
    const result = await ctx.workflows.runFailedExecutionCleanup(params(s), ctx);
    expect(result).toMatchObject({ ok: false, terminal: true });
    expect(result.message).toContain('no longer exists in CloudStack, so it cannot be rolled back');
    expect(mutations()).toBe(before);
    expect(h.env.sim.state.getVirtualMachine(s.failover.destinationVm.id)?.state).toBe('Running');
    expect(await contextStatus(s)).toBe('cleanup_required');
    const request = await readCleanupRequest(h.db.db, s.failover.jobId);
    expect(request?.analysis).toMatchObject({ kind: 'failed-execution-cleanup', contextId: s.context.contextId });
  });

  it('refuses to detach our volume from a running VM that is not a test VM of the failover, where it is the root disk', async () => {
    const s = stuck[3]!;
    const os = s.context.volumes.find((v) => v.isOsDisk)!;
    const stranger = h.env.sim.state.addVirtualMachine({ name: 'someone-elses-vm', withRootVolume: false });
    h.env.sim.state.attachVolume(os.volumeId, stranger.id, 0);
    const ctx = h.ctx();
    const result = await ctx.workflows.runFailedExecutionCleanup(params(s), ctx);
    expect(result).toMatchObject({ ok: false, terminal: true });
    expect(result.message).toContain(
      `volume ${os.volumeId} is the root disk of VM someone-elses-vm (Running), which is not a test VM of this failover`,
    );
    expect(h.env.sim.state.getVolume(os.volumeId)?.vmId).toBe(stranger.id);
    expect(h.env.sim.state.getVirtualMachine(stranger.id)?.state).toBe('Running');
    for (const v of s.context.volumes) {
      expect(h.env.sim.state.getSnapshot(v.snapshot?.id ?? '')?.state).toBe('BackedUp');
    }
    expect(await contextStatus(s)).toBe('cleanup_required');
  });

  it('honours a cancelled request: an automatic run stops before touching anything', async () => {
    const s = stuck[4]!;
    await requestCleanup(h.db.db, s.failover.jobId, 'operator', false, new Date());
    // What `cleanup cancel` does to an accepted request.
    await h.db.db
      .updateTable('oma_reconciler_cleanup_requests')
      .set({ cancelled: 1 })
      .where('job_id', '=', s.failover.jobId)
      .execute();
    await writeCleanupStatus(
      h.db.db,
      { jobId: s.failover.jobId, jobKind: 'failover', status: 'refused', message: 'cancelled by operator' },
      new Date(),
    );
    const before = mutations();
    const ctx = h.ctx();
    const result = await ctx.workflows.runFailedExecutionCleanup(params(s), ctx);
    expect(result).toMatchObject({ ok: false, terminal: true });
    expect(result.message).toContain('cancelled by an operator');
    expect(mutations()).toBe(before);
    const request = await readCleanupRequest(h.db.db, s.failover.jobId);
    expect(request?.status).toBe('failed');
    const job = await h.db.db
      .selectFrom('job_tracking')
      .select('status')
      .where('id', '=', request?.tracking_job_id ?? '')
      .executeTakeFirstOrThrow();
    expect(job.status).toBe('cancelled');
    expect(await contextStatus(s)).toBe('failed_over_test');
  });

  it('records a by-id link that never appears, leaves that export to the reconcilers, and a later pass finishes it', async () => {
    // Last: its pass would also act on the other stuck failovers.
    const s = stuck[1]!;
    // The kernel never shows the reattached disks (no udev event).
    const links = h.env.links as { sync: (ids: Iterable<string>) => Promise<void> };
    links.sync = () => Promise.resolve();
    const ctx = h.ctx({ byIdWaitMs: 200 });
    const result = await ctx.workflows.runFailedExecutionCleanup(params(s), ctx);
    expect(result.ok, result.message).toBe(true);
    expect(result.message).toContain('left to the reconcilers');
    for (const v of s.context.volumes) {
      expect(h.env.sim.state.getVolume(v.volumeId)?.vmId).toBe(h.omaVmId);
      expect(
        await h.db.db.selectFrom('nbd_exports').select('id').where('volume_id', '=', v.volumeId).executeTakeFirst(),
        'no export of an unseen device',
      ).toBeUndefined();
    }
    delete (links as { sync?: unknown }).sync;
    await h.pass();
    await h.env.syncDevices();
    expect(await h.driftOf(s.context.contextId)).toEqual([]);
    for (const v of s.context.volumes) {
      expect(
        await h.db.db.selectFrom('nbd_exports').select('status').where('volume_id', '=', v.volumeId).execute(),
      ).toEqual([{ status: 'active' }]);
    }
  });
});
