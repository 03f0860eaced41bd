/**
 * Drift that only a cleanup workflow repairs (stuck failovers, the test VM of a stuck failover,
 * cleanup requests): detected and planned with the right workflow and gate decisions here; the
 * workflows themselves are tested with `src/workflows/`. Refusing a cleanup request is the
 * engine's own action and is applied end to end.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { annotationsOf } from '../../src/db/queries/json-column.js';
import { useSettledHarness, type Harness } from './helpers/appliance-harness.js';
import { decisionsOf, executedActions } from './helpers/audit.js';
import { contextIn, insertFailover, secondsAgo, testVmName } from './helpers/inject-drift.js';

describe('workflow-driven drift', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('plans the failed-execution cleanup for a test failover whose engine failed, and for the test VM it left', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const vm = h.env.sim.state.addVirtualMachine({ name: testVmName(ctx), displayName: testVmName(ctx) });
    const jobId = await insertFailover(h, ctx, { status: 'pending', tracking: 'failed', destinationVmId: vm.id });

    // No --grace-seconds: stuck failovers have no default grace, the test VM waits 30 min.
    const planned = await h.plan({ graceOverride: null });
    const stuck = planned.gated.find((d) => d.kind === 'stuck-failover-job');
    expect(stuck?.subject).toEqual({ type: 'failover-job', id: jobId, name: ctx.vmName });
    expect(stuck?.actions.map((a) => [a.action, a.params, a.destructive, a.decision])).toEqual([
      [
        'run-failed-execution-cleanup',
        { contextId: ctx.contextId, failoverJobId: jobId, vmName: ctx.vmName },
        true,
        'run',
      ],
    ]);
    expect(stuck?.actions[0]?.trail?.map((c) => `${c.gate}:${c.passed ? 'pass' : 'block'}`)).toEqual([
      'incomplete-source:pass',
      'sanity:pass',
      'ownership:pass',
      'grace:pass',
      'in-flight:pass',
      'paused:pass',
      'budget:pass',
      'mode:pass',
      'not-leader:pass',
    ]);
    const leftover = planned.gated.find((d) => d.kind === 'leftover-test-vm');
    expect(leftover?.note).toBe(`owned by the failed-execution cleanup of stuck failover ${jobId}`);
    expect(decisionsOf(planned.gated, 'leftover-test-vm')).toEqual(['run-failed-execution-cleanup: blocked by grace']);
    expect(decisionsOf((await h.plan()).gated, 'leftover-test-vm')).toEqual(['run-failed-execution-cleanup: run']);
  });

  it('reports a stuck live failover without planning any action: the VM may be in production', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const jobId = await insertFailover(h, ctx, { status: 'pending', tracking: 'failed' });
    await h.db.db.updateTable('failover_jobs').set({ job_type: 'live' }).where('job_id', '=', jobId).execute();

    const item = (await h.plan()).gated.find((d) => d.kind === 'stuck-failover-job');
    expect(item?.actions).toEqual([]);
    expect(item?.note).toMatch(/^a live failover is never recovered automatically.*cleanup request/);
  });

  it('plans the replication-job cleanup an operator requested through the CLI, keeping the volumes when asked', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const jobId = ctx.replicationJobs.at(-1)?.id ?? '';
    const asked = await h.cli(['cleanup', 'request', jobId, '--keep-volumes', '--by', 'alice']);
    expect(asked).toMatchObject({ code: 0, stdout: expect.stringMatching(/^accepted: /) as unknown });

    const items = (await h.plan()).gated.filter((d) => d.kind === 'cleanup-request');
    expect(items.map((d) => [d.subject.id, d.actions.map((a) => [a.action, a.params, a.decision])])).toEqual([
      [jobId, [['run-replication-job-cleanup', { contextId: ctx.contextId, jobId, keepVolumes: true }, 'run']]],
    ]);
    const status = await h.cli(['cleanup', 'status', jobId, '--output', 'json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      job_id: jobId,
      status: 'accepted',
      requested_by: 'alice',
      keep_volumes: true,
    });
  });

  it('refuses a cleanup request of a replication that is running, and records why on the row and in the request', async () => {
    const ctx = contextIn(h, 'replicating');
    const jobId = ctx.currentJobId ?? '';
    await h.db.db
      .updateTable('replication_jobs')
      .set({ updated_at: secondsAgo(10) })
      .where('id', '=', jobId)
      .execute();
    expect((await h.cli(['cleanup', 'request', jobId])).code).toBe(0);

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual(['cleanup-request refuse-cleanup-request → success']);
    const table = await h.cli(['cleanup', 'status', jobId]);
    expect(table.code).toBe(1); // a refused request is not "ok"
    expect(table.stdout).toMatch(/^job {11}\S+ \(replication\)\nstatus {8}refused\nmessage {7}job is genuinely active/);
    const status = JSON.parse((await h.cli(['cleanup', 'status', jobId, '--output', 'json'])).stdout) as {
      status: string;
      message: string;
    };
    expect(status).toMatchObject({
      status: 'refused',
      message: expect.stringMatching(/^job is genuinely active \(replicating\)/) as unknown,
    });
    const row = await h.db.db
      .selectFrom('replication_jobs')
      .select(['status', 'annotations'])
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('replicating');
    expect(annotationsOf(row.annotations)).toMatchObject({
      'oma-reconciler/cleanup': 'requested',
      'oma-reconciler/cleanup-status': 'refused',
    });
    expect((await h.plan()).gated).toEqual([]);
  });

  it('refuses a cleanup annotation on a completed live failover written straight into the database', async () => {
    const ctx = contextIn(h, 'failed_over_live');
    const jobId = ctx.failover?.jobId ?? '';
    await sql`update failover_jobs set annotations = json_set(coalesce(annotations, '{}'), '$."oma-reconciler/cleanup"', 'requested') where job_id = ${jobId}`.execute(
      h.db.db,
    );

    const planned = await h.plan();
    expect(decisionsOf(planned.gated, 'cleanup-request')).toEqual(['refuse-cleanup-request: run']);
    expect(planned.gated[0]?.note).toBe(
      'refused: a completed live failover runs production; it is not undone by a cleanup',
    );
    await h.applyUntilStable();
    const row = await h.db.db
      .selectFrom('failover_jobs')
      .select(['status', 'annotations'])
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('completed');
    expect(annotationsOf(row.annotations)['oma-reconciler/cleanup-status']).toBe('refused');
    expect((await h.plan()).gated).toEqual([]);
  });
});
