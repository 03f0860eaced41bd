import type { Kysely } from 'kysely';
import type { DB } from '../schema-types.js';
import type { JobTrackingRow } from '../../world/world.js';
import { isoOfNewest, isoOrNull } from './iso-time.js';
import { noStringPool, type StringPool } from '../../string-pool.js';

/**
 * The `job_tracking` rows a reconciler cares about, in one statement: failover and cleanup jobs that
 * are pending or running, plus every row a `failover_jobs.job_id` points at. `updated_at` does not move
 * while steps run, so liveness (`lastActivityAt`) is the newest of `started_at`, the job's step
 * start/completion times and its log event times; `currentStep` is the name of its highest-`seq` step.
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
    .select((eb) => [
      eb
        .selectFrom('job_steps as s')
        .whereRef('s.job_id', '=', 'jt.id')
        .select((e) => e.fn.max('s.started_at').as('v'))
        .as('step_started_at'),
      eb
        .selectFrom('job_steps as s')
        .whereRef('s.job_id', '=', 'jt.id')
        .select((e) => e.fn.max('s.completed_at').as('v'))
        .as('step_completed_at'),
      eb
        .selectFrom('log_events as l')
        .whereRef('l.job_id', '=', 'jt.id')
        .select((e) => e.fn.max('l.ts').as('v'))
        .as('log_ts'),
      eb
        .selectFrom('job_steps as s')
        .whereRef('s.job_id', '=', 'jt.id')
        .select('s.name')
        .orderBy('s.seq', 'desc')
        .limit(1)
        .as('current_step'),
    ])
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
    lastActivityAt: isoOfNewest(r.started_at, r.step_started_at, r.step_completed_at, r.log_ts),
    currentStep: s(r.current_step),
    owner: s(r.owner),
    externalJobId: r.external_job_id,
  }));
}
