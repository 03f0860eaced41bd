import type { Kysely } from 'kysely';
import type { DB } from '../schema-types.js';
import type { JobTrackingRow } from '../../world/world.js';
import { isoOrNull } from './iso-time.js';
import { jobLivenessColumns, lastActivityOf } from './job-liveness.js';
import { noStringPool, type StringPool } from '../../string-pool.js';

/**
 * The `job_tracking` rows a reconciler cares about, in one statement: failover and cleanup jobs that
 * are pending or running, plus every row a `failover_jobs.job_id` points at. Liveness
 * (`lastActivityAt`, `currentStep`) comes from `jobLivenessColumns`.
 */
export async function readJobTracking(db: Kysely<DB>, s: StringPool = noStringPool): Promise<JobTrackingRow[]> {
  const rows = await db
    .selectFrom('job_tracking as jt')
    .select([
      'jt.id',
      'jt.job_type',
      'jt.operation',
      'jt.status',
      'jt.context_id',
      'jt.error_message',
      'jt.started_at',
      'jt.owner',
      'jt.external_job_id',
    ])
    .select(jobLivenessColumns)
    .where((eb) =>
      eb.or([
        eb.and([eb('jt.job_type', 'in', ['failover', 'cleanup']), eb('jt.status', 'in', ['pending', 'running'])]),
        eb('jt.id', 'in', eb.selectFrom('failover_jobs').select('failover_jobs.job_id')),
      ]),
    )
    .orderBy('jt.id')
    .execute();
  return rows.map((r) => ({
    id: s(r.id),
    jobType: s(r.job_type ?? ''),
    operation: s(r.operation),
    status: s(r.status ?? ''),
    contextId: s(r.context_id),
    errorMessage: r.error_message,
    startedAt: isoOrNull(r.started_at),
    lastActivityAt: lastActivityOf(r),
    currentStep: s(r.current_step),
    owner: s(r.owner),
    externalJobId: r.external_job_id,
  }));
}
