import type { ExpressionBuilder } from 'kysely';
import type { DB, JobTrackingTable } from '../schema-types.js';
import { isoOfNewest } from './iso-time.js';

/** A query over `job_tracking as jt` (the alias the sub-queries below correlate on). */
type OverJobTracking = ExpressionBuilder<DB & { jt: JobTrackingTable }, 'jt'>;

/**
 * The correlated sub-queries that say how alive a `job_tracking as jt` row is: `updated_at` does not
 * move while steps run, so liveness is read from the job's steps and log events, and `current_step`
 * is the name of its highest-`seq` step. Select them next to `jt.started_at`; see `lastActivityOf`.
 */
export function jobLivenessColumns(eb: OverJobTracking) {
  return [
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
  ] as const;
}

/** The times `jobLivenessColumns` reads, with the row's own `started_at`. */
export interface JobLivenessTimes {
  readonly started_at: Date | null;
  readonly step_started_at: Date | null;
  readonly step_completed_at: Date | null;
  readonly log_ts: Date | null;
}

/** A job's last activity (ISO): the newest of its start, its steps' start/completion and its log events; null when none. */
export function lastActivityOf(r: JobLivenessTimes): string | null {
  return isoOfNewest(r.started_at, r.step_started_at, r.step_completed_at, r.log_ts);
}
