/**
 * The workflow's JobLog rows, written the way the appliance's tracker writes them (oma-system.md
 * §1.4 "JobLog"), so the OMA GUI's job views show a cleanup like any other job: one `job_tracking`
 * row (`job_type` `cleanup`, owner `oma-reconciler`), one `job_steps` row per step run with
 * `seq = COALESCE(MAX(seq), 0) + 1`, and a `log_events` line when a step ends.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';

/** Who the appliance's views show as the owner of our jobs. */
export const JOB_OWNER = 'oma-reconciler';

/** What a new tracking job carries. */
export interface TrackingJobInput {
  readonly operation: string;
  /** GUI id, cut to the column's 64 characters. */
  readonly externalJobId: string;
  readonly contextId: string | null;
  readonly metadata: unknown;
}

/** Inserts the `job_tracking` row (status `running`) and returns its id. */
export async function startTrackingJob(db: Kysely<DB>, input: TrackingJobInput, now: Date): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('job_tracking')
    .values({
      id,
      job_type: 'cleanup',
      operation: input.operation,
      status: 'running',
      external_job_id: input.externalJobId.slice(0, 64),
      metadata: JSON.stringify(input.metadata),
      started_at: now,
      created_at: now,
      updated_at: now,
      percent_complete: 0,
      owner: JOB_OWNER,
      context_id: input.contextId,
      job_category: 'system',
    })
    .execute();
  return id;
}

/**
 * Re-opens a tracking job for a resumed run: steps a crash left `running` are closed as failed
 * (they are run again as new steps) and the job is `running` again.
 */
export async function resumeTrackingJob(db: Kysely<DB>, jobId: string, now: Date): Promise<void> {
  await db
    .updateTable('job_steps')
    .set({ status: 'failed', completed_at: now, error_message: 'interrupted; the step runs again in a later pass' })
    .where('job_id', '=', jobId)
    .where('status', '=', 'running')
    .execute();
  await db
    .updateTable('job_tracking')
    .set({ status: 'running', completed_at: null, error_message: null, updated_at: now })
    .where('id', '=', jobId)
    .execute();
}

/** Inserts a `running` step with the next seq of the job; returns its id. */
export async function startStep(db: Kysely<DB>, jobId: string, name: string, now: Date): Promise<string> {
  const last = await db
    .selectFrom('job_steps')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  const result = await db
    .insertInto('job_steps')
    .values({ job_id: jobId, name, seq: (last?.seq ?? 0) + 1, status: 'running', started_at: now })
    .executeTakeFirstOrThrow();
  return String(result.insertId);
}

/** Closes a step and writes its log line. */
export async function finishStep(
  db: Kysely<DB>,
  step: { readonly jobId: string; readonly stepId: string; readonly name: string },
  outcome: { readonly status: 'completed' | 'failed'; readonly message: string; readonly metadata?: unknown },
  now: Date,
): Promise<void> {
  const failed = outcome.status === 'failed';
  await db
    .updateTable('job_steps')
    .set({
      status: outcome.status,
      completed_at: now,
      error_message: failed ? outcome.message : null,
      ...(outcome.metadata === undefined ? {} : { metadata: JSON.stringify(outcome.metadata) }),
    })
    .where('id', '=', step.stepId)
    .execute();
  await db
    .insertInto('log_events')
    .values({
      job_id: step.jobId,
      step_id: step.stepId,
      level: failed ? 'ERROR' : 'INFO',
      message: outcome.message.slice(0, 60_000),
      attrs: JSON.stringify({ step: step.name }),
      ts: now,
    })
    .execute();
}

/** Ends the tracking job (`completed`/`failed`/`cancelled`) with its progress. */
export async function endTrackingJob(
  db: Kysely<DB>,
  jobId: string,
  outcome: {
    readonly status: 'completed' | 'failed' | 'cancelled';
    readonly error: string | null;
    readonly percent: number;
  },
  now: Date,
): Promise<void> {
  await db
    .updateTable('job_tracking')
    .set({
      status: outcome.status,
      error_message: outcome.error,
      completed_at: now,
      updated_at: now,
      percent_complete: Math.max(0, Math.min(100, Math.round(outcome.percent))),
      ...(outcome.status === 'cancelled' ? { canceled_at: now } : {}),
    })
    .where('id', '=', jobId)
    .execute();
}

/** Moves the progress bar of a running tracking job. */
export async function setTrackingProgress(db: Kysely<DB>, jobId: string, percent: number, now: Date): Promise<void> {
  await db
    .updateTable('job_tracking')
    .set({ percent_complete: Math.round(percent), updated_at: now })
    .where('id', '=', jobId)
    .execute();
}
