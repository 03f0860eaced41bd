/**
 * Crash-resume of the failed-execution cleanup: a run that dies at any step boundary (or fails half
 * way through a step) is finished by the next run from its journal, without reverting, deleting or
 * attaching anything twice.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudStackClient } from '../../src/cloudstack/cloudstack-client.js';
import { runPass } from '../../src/engine/run-pass.js';
import { readCleanupRequest } from '../../src/engine/store/cleanup-requests.js';
import { parseJsonColumn } from '../../src/db/queries/json-column.js';
import { createWorkflows } from '../../src/workflows/index.js';
import { crashAfter, FAILED_EXECUTION_STEP_NAMES } from './helpers/crash-hooks.js';
import { makeStuckFailover, STUCK_STAGES, type StuckFailover } from './helpers/stuck-failover.js';
import { startWorkflowHarness, type WorkflowHarness } from './helpers/workflow-harness.js';

const FINAL = new Set<string>(['database-reset', 'validation']);

describe('failed-execution cleanup after a crash', () => {
  let h: WorkflowHarness;
  const stuck: StuckFailover[] = [];
  const params = (s: StuckFailover) => ({
    contextId: s.context.contextId,
    failoverJobId: s.failover.jobId,
    vmName: s.context.vmName,
  });
  const requests = (command: string) => h.env.sim.stats.requests(command);

  /** The end state every resumed cleanup must reach. */
  async function expectCleanedUp(s: StuckFailover): Promise<void> {
    const ctx = await h.db.db
      .selectFrom('vm_replication_contexts')
      .select(['current_status', 'current_job_id'])
      .where('context_id', '=', s.context.contextId)
      .executeTakeFirstOrThrow();
    expect(ctx).toEqual({ current_status: 'ready_for_failover', current_job_id: null });
    for (const v of s.context.volumes) {
      expect(h.env.sim.state.getVolume(v.volumeId)?.vmId, v.name).toBe(h.omaVmId);
      expect(h.env.sim.state.getSnapshot(v.snapshot?.id ?? '')?.state ?? 'gone', v.name).not.toBe('BackedUp');
    }
    for (const [volumeId, size] of s.written) expect(h.env.sim.state.getVolume(volumeId)?.sizeBytes).toBe(size);
    expect(h.env.sim.state.getVirtualMachine(s.failover.destinationVm.id)).toBeUndefined();
    const request = await readCleanupRequest(h.db.db, s.failover.jobId);
    expect(request?.status, request?.message ?? '').toBe('done');
    // Each step completed exactly once across the runs (a crashed final step was rolled back).
    expect(request?.steps.filter((x) => x.status === 'completed').map((x) => x.name)).toEqual([
      ...FAILED_EXECUTION_STEP_NAMES,
    ]);
    await h.applyNbd();
    expect(await h.driftOf(s.context.contextId)).toEqual([]);
  }

  beforeAll(async () => {
    const n = FAILED_EXECUTION_STEP_NAMES.length + 2;
    h = await startWorkflowHarness({
      statuses: Array.from({ length: n }, () => 'failed_over_test' as const),
      dataDisks: 1,
    });
    for (const [i, ctx] of h.env.world.contexts.entries()) {
      stuck.push(await makeStuckFailover(h, ctx, STUCK_STAGES[i % STUCK_STAGES.length]!));
    }
  });
  afterAll(async () => h.close());

  it.each(FAILED_EXECUTION_STEP_NAMES.map((step, i) => [step, i] as const))(
    'finishes from the journal after a crash right after "%s", repeating no revert or delete',
    async (step, i) => {
      const s = stuck[i]!;
      const before = {
        revert: requests('revertSnapshot'),
        del: requests('deleteSnapshot'),
        destroy: requests('destroyVirtualMachine'),
      };
      const crashed = h.ctx({ hooks: crashAfter(step) });
      const crash = await crashed.workflows.runFailedExecutionCleanup(params(s), crashed);
      expect(crash).toMatchObject({ ok: false, terminal: false });
      expect(crash.message).toContain(`simulated crash after ${step}`);

      const record = await h.db.db
        .selectFrom('oma_reconciler_cleanup_requests')
        .select(['status', 'journal'])
        .where('job_id', '=', s.failover.jobId)
        .executeTakeFirstOrThrow();
      expect(record.status).toBe('running');
      const journal = parseJsonColumn(record.journal) as { completed: string[] };
      const durable = FINAL.has(step)
        ? FAILED_EXECUTION_STEP_NAMES.slice(0, 7)
        : FAILED_EXECUTION_STEP_NAMES.slice(0, i + 1);
      expect(journal.completed).toEqual(durable);
      if (FINAL.has(step)) {
        // The database phase committed nothing: the failover still shows as stuck, so a pass proposes the cleanup again.
        const fo = await h.db.db
          .selectFrom('failover_jobs')
          .select('status')
          .where('job_id', '=', s.failover.jobId)
          .executeTakeFirstOrThrow();
        expect(fo.status).toBe('pending');
      }

      const resumedCtx = h.ctx();
      const resumed = await resumedCtx.workflows.runFailedExecutionCleanup(params(s), resumedCtx);
      expect(resumed.ok, resumed.message).toBe(true);
      expect(requests('revertSnapshot') - before.revert).toBe(s.context.volumes.length);
      expect(requests('deleteSnapshot') - before.del).toBe(s.context.volumes.length);
      expect(requests('destroyVirtualMachine') - before.destroy).toBe(s.testVmId === null ? 0 : 1);
      await expectCleanedUp(s);
    },
  );

  it('resumes a step that failed half way (the connection dropped after the first reattach) without attaching twice', async () => {
    const s = stuck[FAILED_EXECUTION_STEP_NAMES.length]!;
    let attaches = 0;
    class DroppingClient extends CloudStackClient {
      override attachVolume(
        ...args: Parameters<CloudStackClient['attachVolume']>
      ): ReturnType<CloudStackClient['attachVolume']> {
        attaches++;
        if (attaches === 2) return Promise.reject(new Error('socket hang up'));
        return super.attachVolume(...args);
      }
    }
    const dropping = new DroppingClient({
      apiUrl: h.env.sim.url,
      apiKey: h.env.sim.apiKey,
      secretKey: h.env.sim.secretKey,
      poll: { initialMs: 5, factor: 1.5, maxMs: 50 },
    });
    const ctx = { ...h.ctx(), cloudstack: dropping };
    const failed = await ctx.workflows.runFailedExecutionCleanup(params(s), ctx);
    expect(failed, `${failed.message} (attaches: ${attaches})`).toMatchObject({ ok: false, terminal: false });
    expect(failed.message).toMatch(/reattach the volumes to the OMA.*socket hang up.*resumes there at the next pass/);
    expect((await readCleanupRequest(h.db.db, s.failover.jobId))?.status).toBe('running');
    const attachRequests = requests('attachVolume');
    const resumedCtx = h.ctx();
    const resumed = await resumedCtx.workflows.runFailedExecutionCleanup(params(s), resumedCtx);
    expect(resumed.ok, resumed.message).toBe(true);
    // Only the volume that was not attached yet is attached by the resumed run.
    expect(requests('attachVolume') - attachRequests).toBe(1);
    await expectCleanedUp(s);
  });

  it('is proposed again and finished by the next engine pass after a pass crashed in the middle of it', async () => {
    // The last stuck failover: every other one is cleaned up by now, so the pass proposes only this one.
    const s = stuck[FAILED_EXECUTION_STEP_NAMES.length + 1]!;
    const crashing = {
      ...h.deps,
      workflows: createWorkflows({ ...h.workflowOptions, hooks: crashAfter('snapshot-deletion') }),
    };
    const options = {
      signal: AbortSignal.timeout(120_000),
      act: true,
      isLeader: true,
      fence: () => Promise.resolve(true),
      graceOverride: 0,
    };
    const first = await runPass(crashing, {
      ...options,
      passId: `crash-${randomUUID()}`,
      only: ['stuck-failover-job'],
    });
    expect(first.executed.find((e) => e.driftId.endsWith(s.failover.jobId))).toMatchObject({ result: 'error' });
    const second = await runPass(h.deps, {
      ...options,
      passId: `resume-${randomUUID()}`,
      only: ['stuck-failover-job'],
    });
    expect(second.executed.find((e) => e.driftId.endsWith(s.failover.jobId))).toMatchObject({ result: 'success' });
    await h.env.syncDevices();
    await expectCleanedUp(s);
  });
});
