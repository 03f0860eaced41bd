/**
 * Cleanup requests from the CLI and the HTTP API: they set the same annotation an operator would,
 * and record the request, so every trigger takes the same path through the `cleanup-request`
 * reconciler and its gates.
 */
import { sql, type Kysely } from 'kysely';
import type { JobCleanupAnswer } from '../reconcile/engine-port.js';
import type { DB } from '../db/schema-types.js';
import { ANNOTATION } from '../../reconcilers/lib/names.js';
import { isCleanupOpen } from '../reconcile/outcomes.js';
import { readCleanupRequest, writeCleanupStatus } from './store/cleanup-requests.js';

/** Finds the failover job a VM's "Cleanup Failed Job" button means: its newest non-completed failover. */
export async function findFailedExecutionJob(
  db: Kysely<DB>,
  vmName: string,
): Promise<{ jobId: string; contextId: string } | null> {
  const row = await db
    .selectFrom('failover_jobs as f')
    .innerJoin('vm_replication_contexts as c', 'c.context_id', 'f.vm_context_id')
    .select(['f.job_id', 'c.context_id'])
    .where('c.vm_name', '=', vmName)
    .where('f.status', 'not in', ['completed'])
    .orderBy('f.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { jobId: row.job_id, contextId: row.context_id } : null;
}

/** Annotates a replication or failover job for cleanup and records the request. */
export async function requestCleanup(
  db: Kysely<DB>,
  jobId: string,
  by: string,
  keepVolumes: boolean,
  now: Date,
): Promise<JobCleanupAnswer> {
  const existing = await readCleanupRequest(db, jobId);
  if (existing && isCleanupOpen(existing.status)) {
    return {
      outcome: 'already-requested',
      status: existing.status as JobCleanupAnswer['status'],
      message: `a cleanup of ${jobId} is already ${existing.status}`,
    };
  }
  const replication = await db
    .selectFrom('replication_jobs')
    .select(['id', 'vm_context_id'])
    .where('id', '=', jobId)
    .executeTakeFirst();
  const failover = replication
    ? undefined
    : await db
        .selectFrom('failover_jobs')
        .select(['job_id', 'vm_context_id'])
        .where('job_id', '=', jobId)
        .executeTakeFirst();
  if (!replication && !failover) {
    return { outcome: 'not-found', status: null, message: `no replication job or failover job ${jobId}` };
  }
  const table = replication ? 'replication_jobs' : 'failover_jobs';
  const idColumn = replication ? 'id' : 'job_id';
  await sql`
    update ${sql.table(table)}
    set annotations = json_remove(json_set(coalesce(annotations, '{}'),
        ${`$."${ANNOTATION.cleanup}"`}, 'requested',
        ${`$."${ANNOTATION.keepVolumes}"`}, ${keepVolumes ? 'true' : 'false'}),
      ${`$."${ANNOTATION.cleanupStatus}"`})
    where ${sql.ref(idColumn)} = ${jobId}`.execute(db);
  // A new request supersedes an earlier cancellation.
  await db.updateTable('oma_reconciler_cleanup_requests').set({ cancelled: 0 }).where('job_id', '=', jobId).execute();
  await writeCleanupStatus(
    db,
    {
      jobId,
      jobKind: replication ? 'replication' : 'failover',
      status: 'accepted',
      message: `requested by ${by}`,
      contextId: replication?.vm_context_id ?? failover?.vm_context_id ?? null,
      requestedBy: by,
      keepVolumes,
    },
    now,
  );
  return { outcome: 'accepted', status: 'accepted', message: `cleanup of ${jobId} accepted; it runs at the next pass` };
}
