/**
 * The database phase and validation of the replication-job cleanup. Both run in one transaction
 * with the outcome: deleting the job row removes what re-triggers the cleanup, so a crash in
 * between must roll back rather than leave a half-recorded result.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { findVolume } from '../../cloudstack/find-objects.js';
import type { DB } from '../../db/schema-types.js';
import type { WorkflowOutcome } from '../run-workflow.js';
import type { WorkflowStep } from '../run-steps.js';
import { recomputeContextStatus } from './analyse-replication-job.js';
import { replicationAnalysisOf } from './replication-steps.js';

const HANDS_OFF = new Set(['failed_over_test', 'failed_over_live', 'cleanup_required']);

/** Step 4 (final transaction): deletes the job and its rows, nulls references, recomputes the context. */
export const deleteJobRowsStep: WorkflowStep = {
  name: 'database-cleanup',
  title: 'delete the job with its rows and recompute the context',
  async run(run) {
    const db = run.db;
    const now = run.now();
    const a = replicationAnalysisOf(run);
    const jobId = a.jobId;
    const volumeIds = a.volumes.map((v) => v.volumeId);
    // The FK (fk_failover_replication) nulls it too; on a database without the FK this keeps the same result.
    await db
      .updateTable('failover_jobs')
      .set({ replication_job_id: null })
      .where('replication_job_id', '=', jobId)
      .execute();
    if (a.deleteVolumes && volumeIds.length > 0) {
      await db.deleteFrom('device_mappings').where('volume_uuid', 'in', volumeIds).execute();
      await db.deleteFrom('nbd_exports').where('volume_id', 'in', volumeIds).execute();
      await db
        .updateTable('vm_disks')
        .set({ ossea_volume_id: null })
        .where(
          'ossea_volume_id',
          'in',
          a.volumes.map((v) => v.rowId),
        )
        .where('job_id', '!=', jobId)
        .execute();
      await db.deleteFrom('ossea_volumes').where('volume_id', 'in', volumeIds).execute();
    } else {
      // Kept volumes stay described: their disk rows move to the newest other job instead of cascading away.
      if (a.newestOtherJobId !== null) {
        await db.updateTable('vm_disks').set({ job_id: a.newestOtherJobId }).where('job_id', '=', jobId).execute();
      }
      const kept = a.exports.filter((e) => e.keep).map((e) => e.name);
      if (kept.length > 0) {
        await db
          .updateTable('nbd_exports')
          .set({ job_id: null, updated_at: now })
          .where('job_id', '=', jobId)
          .where('export_name', 'in', kept)
          .execute();
      }
    }
    await db
      .updateTable('vm_replication_contexts')
      .set({ current_job_id: null, updated_at: now })
      .where('current_job_id', '=', jobId)
      .execute();
    const deleted = await db.deleteFrom('replication_jobs').where('id', '=', jobId).executeTakeFirst();
    const ctx = await db
      .selectFrom('vm_replication_contexts')
      .select('current_status')
      .where('context_id', '=', a.contextId)
      .executeTakeFirst();
    let status = ctx?.current_status ?? null;
    if (ctx && !HANDS_OFF.has(ctx.current_status)) {
      const remaining = await db
        .selectFrom('replication_jobs')
        .select(['status', 'created_at'])
        .where('vm_context_id', '=', a.contextId)
        .execute();
      status = recomputeContextStatus(
        remaining.map((r) => ({ status: r.status ?? 'pending', createdAt: r.created_at?.toISOString() ?? null })),
      );
      await db
        .updateTable('vm_replication_contexts')
        .set({ current_status: status, last_status_change: now, updated_at: now })
        .where('context_id', '=', a.contextId)
        .execute();
    }
    return `deleted replication job ${jobId}${Number(deleted.numDeletedRows) === 0 ? ' (already gone)' : ''} with its disk and export rows${a.deleteVolumes ? ` and the rows of ${volumeIds.length} volumes` : ''}; context ${status ?? 'missing'}`;
  },
};

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A table, one of its columns, and what its rows are called. */
type ColumnOf = { [T in keyof DB]: readonly [T, keyof DB[T] & string, string] }[keyof DB];

/** The rows that name a replication job by one column, and how validation names those left over. */
const JOB_REFERENCES = [
  ['replication_jobs', 'id', 'replication_jobs row(s) of the job'],
  ['vm_disks', 'job_id', 'vm_disks row(s) still pointing at the job'],
  ['nbd_exports', 'job_id', 'nbd_exports row(s) still pointing at the job'],
  ['failover_jobs', 'replication_job_id', 'failover_jobs row(s) still referencing the job'],
] as const satisfies readonly ColumnOf[];

/** Step 5 (final transaction): the seed's orphan queries plus CloudStack and conf.d; records the outcome. */
export const validateJobCleanupStep: WorkflowStep = {
  name: 'validation',
  title: 'validate that nothing of the job remains',
  async run(run) {
    const db = run.db;
    const a = replicationAnalysisOf(run);
    const jobId = a.jobId;
    const problems: string[] = [];
    const count = async (what: string, q: Promise<{ n: string } | undefined>) => {
      const n = Number((await q)?.n ?? 0);
      if (n > 0) problems.push(`${n} ${what}`);
    };
    const n = sql<string>`count(*)`.as('n');
    for (const [table, column, what] of JOB_REFERENCES) {
      await count(what, db.selectFrom(table).select(n).where(sql.ref(column), '=', jobId).executeTakeFirst());
    }
    await count(
      'context(s) still pointing at the job',
      db
        .selectFrom('vm_replication_contexts')
        .select(n)
        .where((eb) => eb.or([eb('current_job_id', '=', jobId), eb('last_successful_job_id', '=', jobId)]))
        .executeTakeFirst(),
    );
    // The seed's orphan query, for this context: disk rows whose job is gone.
    await count(
      'orphan vm_disks row(s) of the context',
      db
        .selectFrom('vm_disks as vd')
        .leftJoin('replication_jobs as rj', 'rj.id', 'vd.job_id')
        .select(n)
        .where('vd.vm_context_id', '=', a.contextId)
        .where('rj.id', 'is', null)
        .executeTakeFirst(),
    );
    for (const e of a.exports.filter((x) => !x.keep)) {
      if (await exists(join(run.ctx.nbdConfDir, `${e.name}.conf`))) {
        problems.push(`export file ${e.name}.conf is still in ${run.ctx.nbdConfDir}`);
      }
      await count(
        `nbd_exports row(s) of removed export ${e.name}`,
        db.selectFrom('nbd_exports').select(n).where('export_name', '=', e.name).executeTakeFirst(),
      );
    }
    if (a.deleteVolumes) {
      for (const v of a.volumes) {
        if (await findVolume(run.cloudstack(), v.volumeId, run.ctx.signal)) {
          problems.push(`volume ${v.volumeId} still exists in CloudStack`);
        }
        await count(
          `ossea_volumes row(s) of deleted volume ${v.volumeId}`,
          db.selectFrom('ossea_volumes').select(n).where('volume_id', '=', v.volumeId).executeTakeFirst(),
        );
        await count(
          `device_mappings row(s) of deleted volume ${v.volumeId}`,
          db.selectFrom('device_mappings').select(n).where('volume_uuid', '=', v.volumeId).executeTakeFirst(),
        );
        await count(
          `nbd_exports row(s) of deleted volume ${v.volumeId}`,
          db.selectFrom('nbd_exports').select(n).where('volume_id', '=', v.volumeId).executeTakeFirst(),
        );
      }
    }
    const removed = a.exports.filter((e) => !e.keep).length;
    const fate = a.deleteVolumes
      ? `${a.volumes.length} volumes deleted`
      : `${a.volumes.length} volumes kept: ${a.keepReason ?? ''}`;
    const outcome: WorkflowOutcome =
      problems.length > 0
        ? { status: 'failed', message: `cleanup of replication job ${jobId} left: ${problems.join('; ')}` }
        : {
            status: 'done',
            message: `replication job ${jobId} cleaned up: ${fate}; ${removed} exports removed; no orphan row, export, mapping or volume of the job remains`,
          };
    run.setData('outcome', outcome);
    run.setData('validation', { problems });
    return problems.length > 0 ? `${problems.length} leftovers found` : 'no orphan remains';
  },
};
