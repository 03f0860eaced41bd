/**
 * Issue 14, "Done when" 5: our failed-execution cleanup is held while the OMA's own "Cleanup Failed
 * Job" of the same VM is running (its `job_tracking` row has no context id; matched by VM name), and
 * while ours runs the OMA sees it running: our `job_tracking` row (owner oma-reconciler, status
 * running) is there before the first change and while the daemon moves the volumes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOB_OWNER } from '../../src/engine/store/job-log.js';
import { decisionsOf } from '../engine/helpers/audit.js';
import { fingerprint } from '../engine/helpers/read-appliance.js';
import { makeStuckFailover, type StuckFailover } from '../workflows/helpers/stuck-failover.js';
import { startCoexistence, type Coexistence } from './helpers/coexistence.js';
import { pollUntil } from './helpers/poll.js';

describe('our workflows and the OMA own jobs on the same VM', () => {
  let c: Coexistence;
  let stuck: StuckFailover;
  beforeEach(async () => {
    c = await startCoexistence({ spec: { statuses: ['failed_over_test', 'ready_for_failover'], dataDisks: 1 } });
    stuck = await makeStuckFailover(c.h, c.h.env.world.contexts[0]!, 'after-volume-moves');
  });
  afterEach(async () => c.close());

  it('holds the failed-execution cleanup while the OMA own cleanup of that VM is running, and runs it once that ended', async () => {
    const { h } = c;
    const omaJob = 'oma-cleanup-1';
    await h.db.db
      .insertInto('job_tracking')
      .values({
        id: omaJob,
        job_type: 'cleanup',
        operation: 'failed-execution-cleanup',
        status: 'running',
        owner: 'system',
        context_id: null,
        external_job_id: `failed-execution-cleanup-${stuck.context.vmName}-1700000000`,
        started_at: new Date(),
        created_at: new Date(),
        updated_at: new Date(),
        job_category: 'system',
      })
      .execute();
    const before = await fingerprint(h);

    const plan = await h.plan();
    expect(decisionsOf(plan.gated, 'stuck-failover-job')).toEqual([
      'run-failed-execution-cleanup: blocked by in-flight',
    ]);
    const blocked = plan.gated.find((d) => d.kind === 'stuck-failover-job')?.actions[0];
    expect(blocked?.blockedReason).toContain(`job ${omaJob} is running`);
    const pass = await h.pass();
    expect(pass.executed.filter((e) => e.action === 'run-failed-execution-cleanup')).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
    expect(c.daemon?.stats.operations.detach.started).toBe(0);

    await h.db.db
      .updateTable('job_tracking')
      .set({ status: 'completed', completed_at: new Date() })
      .where('id', '=', omaJob)
      .execute();
    const after = await h.pass();
    expect(after.executed.filter((e) => e.action === 'run-failed-execution-cleanup').map((e) => e.result)).toEqual([
      'success',
    ]);
  });

  it('shows the OMA our cleanup as running before its first change and while the daemon moves its volumes', async () => {
    const { h } = c;
    const db = h.db.db;
    const volumes = stuck.context.volumes.map((v) => v.volumeId);
    // The first CloudStack change of any kind, seen from the simulator's store.
    const state = h.env.sim.state;
    let firstChangeAt: number | null = null;
    const touch = state.touch.bind(state);
    state.touch = () => {
      firstChangeAt ??= Date.now();
      touch();
    };
    const passStartedAt = Date.now();
    firstChangeAt = null;
    // Slow the daemon's first detach so the workflow is caught in the middle.
    h.env.sim.faults.set('detachVolume', { latencyMs: 1_500, times: 1 });

    const running = h.pass();
    const op = await pollUntil('a daemon operation on the context volumes', () =>
      db
        .selectFrom('volume_operations')
        .select(['id', 'status', 'created_at'])
        .where('volume_id', 'in', volumes)
        .where('status', 'in', ['pending', 'executing'])
        .executeTakeFirst(),
    );
    const ours = await db
      .selectFrom('job_tracking')
      .selectAll()
      .where('owner', '=', JOB_OWNER)
      .where('job_type', '=', 'cleanup')
      .execute();
    expect(ours.map((j) => [j.status, j.context_id, j.operation])).toEqual([
      ['running', stuck.context.contextId, expect.stringContaining('failed-execution') as unknown],
    ]);
    expect(ours[0]!.created_at!.getTime()).toBeLessThanOrEqual(op.created_at!.getTime());
    const pass = await running;
    expect(pass.executed.filter((e) => e.action === 'run-failed-execution-cleanup').map((e) => e.result)).toEqual([
      'success',
    ]);

    // The row existed before anything changed in CloudStack (second precision of the column: compare to the second).
    expect(firstChangeAt).not.toBeNull();
    expect(Math.floor(ours[0]!.created_at!.getTime() / 1000)).toBeLessThanOrEqual(Math.floor(firstChangeAt! / 1000));
    expect(firstChangeAt!).toBeGreaterThanOrEqual(passStartedAt);
    const done = await db
      .selectFrom('job_tracking')
      .select('status')
      .where('id', '=', ours[0]!.id)
      .executeTakeFirstOrThrow();
    expect(done.status).toBe('completed');
    expect(await c.failedOperations()).toEqual([]);
  });
});
