/**
 * A snapshot is reverted once (issue 15, 6.4): the revert is journalled before it is sent and with
 * its job id before the wait, so neither a kill right after submission nor an answer lost on its
 * way back (a proxy's 504 after CloudStack queued the job) leads to a second revert. The resumed run
 * looks for the job first — by id, or among CloudStack's async jobs — and re-sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudStackClient, type CallOptions } from '../../src/cloudstack/cloudstack-client.js';
import { parseJsonColumn } from '../../src/db/queries/json-column.js';
import { makeStuckFailover, type StuckFailover } from './helpers/stuck-failover.js';
import { startWorkflowHarness, type WorkflowHarness } from './helpers/workflow-harness.js';

describe('the revert of a failed test failover', () => {
  let h: WorkflowHarness;
  const stuck: StuckFailover[] = [];
  const params = (s: StuckFailover) => ({
    contextId: s.context.contextId,
    failoverJobId: s.failover.jobId,
    vmName: s.context.vmName,
  });
  const reverts = () => h.env.sim.stats.requests('revertSnapshot');

  async function journalled(s: StuckFailover): Promise<unknown> {
    const record = await h.db.db
      .selectFrom('oma_reconciler_cleanup_requests')
      .select('journal')
      .where('job_id', '=', s.failover.jobId)
      .executeTakeFirstOrThrow();
    return (parseJsonColumn(record.journal) as { data: Record<string, unknown> }).data.revertSubmitted;
  }

  beforeAll(async () => {
    h = await startWorkflowHarness({ statuses: ['failed_over_test', 'failed_over_test'], dataDisks: 1 });
    for (const ctx of h.env.world.contexts) stuck.push(await makeStuckFailover(h, ctx, 'after-start'));
  });
  afterAll(async () => h.close());

  it('is not sent again after a kill right after CloudStack accepted it: the resumed run waits for the journalled job', async () => {
    const s = stuck[0]!;
    const before = reverts();
    class KilledAfterSubmission extends CloudStackClient {
      override revertSnapshot(id: string, options: CallOptions = {}): ReturnType<CloudStackClient['revertSnapshot']> {
        return super.revertSnapshot(id, {
          ...options,
          onSubmitted: async (jobId) => {
            await options.onSubmitted?.(jobId);
            throw new Error('simulated kill -9 after the revert was submitted');
          },
        });
      }
    }
    const killing = new KilledAfterSubmission({
      apiUrl: h.env.sim.url,
      apiKey: h.env.sim.apiKey,
      secretKey: h.env.sim.secretKey,
      poll: { initialMs: 5, factor: 1.5, maxMs: 50 },
    });
    const crashedCtx = { ...h.ctx(), cloudstack: killing };
    const crashed = await crashedCtx.workflows.runFailedExecutionCleanup(params(s), crashedCtx);
    expect(crashed).toMatchObject({ ok: false, terminal: false });
    expect(reverts() - before).toBe(1);
    const [entry] = Object.values(
      (await journalled(s)) as Record<string, { snapshotId: string; jobId: string | null }>,
    );
    expect(entry?.jobId).toMatch(/^[0-9a-f-]{36}$/);

    const ctx = h.ctx();
    const resumed = await ctx.workflows.runFailedExecutionCleanup(params(s), ctx);
    expect(resumed.ok, resumed.message).toBe(true);
    expect(reverts() - before).toBe(s.context.volumes.length);
  });

  it('is not sent again after a 504 that came after CloudStack queued it: the job is found among the async jobs', async () => {
    const s = stuck[1]!;
    const before = reverts();
    h.env.sim.faults.set('revertSnapshot', { errorStatus: 504, afterExecute: true, times: 1 });
    const ctx = h.ctx();
    const first = await ctx.workflows.runFailedExecutionCleanup(params(s), ctx);
    expect(first).toMatchObject({ ok: false, terminal: false });
    expect(first.message).toMatch(/revertSnapshot: HTTP 504/);
    expect(reverts() - before).toBe(1);
    expect(
      Object.values((await journalled(s)) as Record<string, { jobId: string | null }>).map((e) => e.jobId),
    ).toEqual([null]);

    const again = h.ctx();
    const resumed = await again.workflows.runFailedExecutionCleanup(params(s), again);
    expect(resumed.ok, resumed.message).toBe(true);
    expect(reverts() - before).toBe(s.context.volumes.length);
  });
});
