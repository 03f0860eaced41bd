/**
 * Annotation values as operators really write them (issue 15, 6.2 and 6.3): `true` as a JSON
 * boolean means true, a value that is neither true nor false on a known key is refused with a reason
 * (never dropped), and one row whose annotations JSON.parse cannot read is one reported row — the
 * database source stays complete and every other repair goes on.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useSettledHarness, type Harness } from './helpers/appliance-harness.js';
import { contextIn, removeExportFile, secondsAgo } from './helpers/inject-drift.js';

async function annotate(
  h: Harness,
  table: 'replication_jobs' | 'vm_replication_contexts',
  key: string,
  id: string,
  json: string,
): Promise<void> {
  await sql`update ${sql.table(table)} set annotations = ${json} where ${sql.ref(key)} = ${id}`.execute(h.db.db);
}

function cleanupDecision(gated: Awaited<ReturnType<Harness['plan']>>['gated'], jobId: string): unknown {
  return gated
    .filter((d) => d.kind === 'cleanup-request' && d.subject.id === jobId)
    .map((d) => d.actions.map((a) => [a.action, a.params]));
}

describe('annotation values', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('takes keep-volumes: true (JSON boolean) and "TRUE" as true, so the cleanup keeps the volumes', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const jobId = ctx.replicationJobs.at(-1)?.id ?? '';
    for (const value of ['true', '"TRUE"']) {
      await annotate(
        h,
        'replication_jobs',
        'id',
        jobId,
        `{"oma-reconciler/cleanup": "requested", "oma-reconciler/keep-volumes": ${value}}`,
      );
      expect(cleanupDecision((await h.plan()).gated, jobId)).toEqual([
        [['run-replication-job-cleanup', { contextId: ctx.contextId, jobId, keepVolumes: true }]],
      ]);
    }
  });

  it('refuses keep-volumes values that are neither true nor false, naming the value', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const jobId = ctx.replicationJobs.at(-1)?.id ?? '';
    for (const [value, shown] of [
      ['1', '1'],
      ['["true"]', '["true"]'],
    ] as const) {
      await annotate(
        h,
        'replication_jobs',
        'id',
        jobId,
        `{"oma-reconciler/cleanup": "requested", "oma-reconciler/keep-volumes": ${value}}`,
      );
      const [item] = (await h.plan()).gated.filter((d) => d.kind === 'cleanup-request');
      expect(item?.actions.map((a) => a.action)).toEqual(['refuse-cleanup-request']);
      expect(item?.note).toBe(
        `refused: invalid oma-reconciler/keep-volumes value "${shown}" (expected "true" or "false"); not guessing whether to keep the volumes`,
      );
    }
  });

  it('pauses a context annotated paused: true (JSON boolean), and one whose paused value is unclear, with the reason', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[0]?.volumeId ?? '';
    await removeExportFile(h, `migration-vol-${volumeId}`);
    for (const [value, reason] of [
      ['true', `context ${ctx.contextId} is annotated oma-reconciler/paused: "true"`],
      [
        '1',
        `context ${ctx.contextId} is annotated oma-reconciler/paused: 1, which is neither true nor "true"; treated as paused until it is fixed`,
      ],
    ] as const) {
      await annotate(h, 'vm_replication_contexts', 'context_id', ctx.contextId, `{"oma-reconciler/paused": ${value}}`);
      const [item] = (await h.plan()).gated.filter((d) => d.kind === 'missing-nbd-export');
      expect(item?.actions.map((a) => [a.action, a.blockedBy, a.blockedReason])).toEqual([
        ['add-nbd-export', 'paused', reason],
      ]);
    }
  });

  it('reports one unreadable annotation as one row: the database stays complete and other repairs go on', async () => {
    const bad = contextIn(h, 'ready_for_failover');
    const good = contextIn(h, 'replicating');
    await removeExportFile(h, `migration-vol-${bad.volumes[0]?.volumeId ?? ''}`);
    await h.db.db
      .updateTable('replication_jobs')
      .set({ status: 'attaching', updated_at: secondsAgo(7200), vma_last_poll_at: null })
      .where('id', '=', good.currentJobId ?? '')
      .execute();
    // MariaDB's JSON_VALID accepts this; JSON.parse does not.
    await annotate(h, 'vm_replication_contexts', 'context_id', bad.contextId, '{"note": 1.}');

    const result = await h.pass();
    expect(result.plan.sources.database).toEqual({ complete: true });
    const [missing] = result.gated.filter((d) => d.kind === 'missing-nbd-export');
    expect(missing?.actions.map((a) => [a.decision, a.blockedReason])).toEqual([
      [
        'blocked',
        expect.stringMatching(
          new RegExp(
            `^context ${bad.contextId} has unreadable annotations \\(not valid JSON .*\\{"note": 1\\.\\}\\); treated as paused until they are fixed$`,
          ),
        ),
      ],
    ]);
    expect(result.executed.map((e) => `${e.kind} ${e.action} ${e.result}`)).toEqual([
      'stuck-replication-job mark-replication-job-failed success',
      'stuck-replication-job clear-current-job success',
    ]);
  });
});
