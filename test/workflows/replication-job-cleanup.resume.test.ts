/**
 * Crash-resume of the replication-job cleanup: a run that dies at any step boundary is finished by
 * the next run; a crash inside the database phase rolls it back, so the job row (and with it the
 * request that triggers the cleanup) is still there for the next pass.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonColumn } from '../../src/db/queries/json-column.js';
import { requestCleanup } from '../../src/engine/cleanup-request.js';
import { runPass } from '../../src/engine/run-pass.js';
import { readCleanupRequest } from '../../src/engine/store/cleanup-requests.js';
import type { WorldContext } from '../../src/appliance-world/appliance-world.js';
import { createWorkflows } from '../../src/workflows/index.js';
import { crashAfter, REPLICATION_JOB_STEP_NAMES } from './helpers/crash-hooks.js';
import { failedFirstReplication } from './helpers/replication-worlds.js';
import { startWorkflowHarness, type WorkflowHarness } from './helpers/workflow-harness.js';

const FINAL = new Set<string>(['database-cleanup', 'validation']);

describe('replication-job cleanup after a crash', () => {
  let h: WorkflowHarness;
  const jobOf = (ctx: WorldContext) => ctx.replicationJobs.at(-1)?.id ?? '';
  const params = (ctx: WorldContext) => ({ contextId: ctx.contextId, jobId: jobOf(ctx), keepVolumes: false });

  async function expectCleanedUp(ctx: WorldContext): Promise<void> {
    const request = await readCleanupRequest(h.db.db, jobOf(ctx));
    expect(request?.status, request?.message ?? '').toBe('done');
    expect(request?.steps.filter((s) => s.status === 'completed').map((s) => s.name)).toEqual([
      ...REPLICATION_JOB_STEP_NAMES,
    ]);
    for (const v of ctx.volumes) expect(h.env.sim.state.getVolume(v.volumeId), v.name).toBeUndefined();
    const rows = await h.db.db
      .selectFrom('ossea_volumes')
      .select(sql<string>`count(*)`.as('n'))
      .where('vm_context_id', '=', ctx.contextId)
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(0);
    expect(
      await h.db.db.selectFrom('replication_jobs').select('id').where('id', '=', jobOf(ctx)).executeTakeFirst(),
    ).toBeUndefined();
    await h.applyNbd();
    expect(await h.driftOf(ctx.contextId)).toEqual([]);
  }

  beforeAll(async () => {
    const n = REPLICATION_JOB_STEP_NAMES.length + 1;
    h = await startWorkflowHarness({
      statuses: Array.from({ length: n }, () => 'failed' as const),
      dataDisks: 1,
      hooks: { context: failedFirstReplication(new Set(Array.from({ length: n }, (_, i) => i))) },
    });
    for (const ctx of h.env.world.contexts) await requestCleanup(h.db.db, jobOf(ctx), 'operator', false, new Date());
  });
  afterAll(async () => h.close());

  it.each(REPLICATION_JOB_STEP_NAMES.map((step, i) => [step, i] as const))(
    'finishes from the journal after a crash right after "%s", deleting each volume once',
    async (step, i) => {
      const ctx = h.env.world.contexts[i]!;
      const deletesBefore = h.env.sim.stats.requests('deleteVolume');
      const crashed = h.ctx({ hooks: crashAfter(step) });
      const crash = await crashed.workflows.runReplicationJobCleanup(params(ctx), crashed);
      expect(crash).toMatchObject({ ok: false, terminal: false });
      const record = await h.db.db
        .selectFrom('oma_reconciler_cleanup_requests')
        .select(['status', 'journal'])
        .where('job_id', '=', jobOf(ctx))
        .executeTakeFirstOrThrow();
      expect(record.status).toBe('running');
      const durable = FINAL.has(step)
        ? REPLICATION_JOB_STEP_NAMES.slice(0, 3)
        : REPLICATION_JOB_STEP_NAMES.slice(0, i + 1);
      expect((parseJsonColumn(record.journal) as { completed: string[] }).completed).toEqual(durable);
      if (FINAL.has(step)) {
        expect(
          await h.db.db.selectFrom('replication_jobs').select('id').where('id', '=', jobOf(ctx)).executeTakeFirst(),
          'rolled back',
        ).toBeDefined();
      }

      const resumedCtx = h.ctx();
      const resumed = await resumedCtx.workflows.runReplicationJobCleanup(params(ctx), resumedCtx);
      expect(resumed.ok, resumed.message).toBe(true);
      expect(h.env.sim.stats.requests('deleteVolume') - deletesBefore).toBe(ctx.volumes.length);
      await expectCleanedUp(ctx);
    },
  );

  it('is proposed again by the next pass after a pass crashed inside its database phase', async () => {
    // Every other request is done by now, so the passes run only this one.
    const ctx = h.env.world.contexts[REPLICATION_JOB_STEP_NAMES.length]!;
    const crashing = {
      ...h.deps,
      workflows: createWorkflows({ ...h.workflowOptions, hooks: crashAfter('database-cleanup') }),
    };
    const options = {
      signal: AbortSignal.timeout(120_000),
      act: true,
      isLeader: true,
      fence: () => Promise.resolve(true),
      graceOverride: 0,
      only: ['cleanup-request' as const],
    };
    const first = await runPass(crashing, { ...options, passId: `crash-${randomUUID()}` });
    expect(first.executed.find((e) => e.action === 'run-replication-job-cleanup')).toMatchObject({ result: 'error' });
    await h.env.syncDevices();
    const second = await runPass(h.deps, { ...options, passId: `resume-${randomUUID()}` });
    expect(second.executed.find((e) => e.action === 'run-replication-job-cleanup')).toMatchObject({
      driftId: `cleanup-request:replication-job:${jobOf(ctx)}`,
      result: 'success',
    });
    await h.env.syncDevices();
    await expectCleanedUp(ctx);
  });
});
