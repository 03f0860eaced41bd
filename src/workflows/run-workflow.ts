/**
 * The control flow both cleanup workflows share: refuse or resume, run the steps, run the final
 * steps and record the outcome in one database transaction, and turn every way a run can end into
 * the request record, the tracking job and an actuator result.
 *
 * - First run: a `job_tracking` row and a fresh journal; the request goes `accepted` → `running`.
 * - Resumed run (crash, transient error, new leader): the journal's completed steps are skipped.
 * - A finished or stopped run is not repeated by the pass that triggered it; only a new request
 *   (record `accepted` again, `cleanup request`) starts over (finished) or retries (stopped).
 * - The final steps (database changes + validation) commit together with the outcome, so a crash
 *   between them rolls back to a state where the triggering drift still shows and the run resumes.
 */
import { z } from 'zod';
import type { ActuatorContext, ActuatorResult } from '../engine/actuators/actuator-context.js';
import { fail, ok } from '../engine/actuators/actuator-context.js';
import { writeCleanupStatus } from '../engine/store/cleanup-requests.js';
import { coerceError } from '../errors.js';
import { endTrackingJob, resumeTrackingJob, startTrackingJob } from '../engine/store/job-log.js';
import { newJournal, parseJournal, type Journal } from './journal.js';
import { runSteps, type WorkflowStep } from './run-steps.js';
import { WorkflowCancelledError, WorkflowRefusedError, WorkflowStopError } from './workflow-errors.js';
import type { ResolvedWorkflowOptions } from './workflow-options.js';
import { WorkflowRun, type WorkflowSubject } from './workflow-run.js';

/** The request record as a run sees it. */
export interface RequestRecordView {
  readonly status: string;
  readonly journal: unknown;
  readonly cancelled: boolean;
}

/** Whether a run may start: refusals carry whether a request exists to record them in. */
export type Preflight =
  { readonly go: true } | { readonly go: false; readonly reason: string; readonly recordIt: boolean };

/** Outcome the last final step leaves in the journal (`data.outcome`). */
export const outcomeSchema = z.object({ status: z.enum(['done', 'failed']), message: z.string() });
/** How a run ended: `done`, or `failed` with what does not hold. */
export type WorkflowOutcome = z.infer<typeof outcomeSchema>;

/** One workflow, as data plus hooks. */
export interface WorkflowDefinition {
  readonly subject: WorkflowSubject;
  /** `job_tracking.operation` and the prefix of `external_job_id`. */
  readonly operation: string;
  /** The middle of `external_job_id` (`<operation>-<label>-<unix>`, cut to 64): the VM name or the job id. */
  readonly externalJobLabel: string;
  readonly metadata: unknown;
  /** Re-checked at the start of every run. */
  preflight(ctx: ActuatorContext, record: RequestRecordView | null): Promise<Preflight>;
  readonly steps: readonly WorkflowStep[];
  /** Run in one transaction with the outcome; the last one sets `data.outcome`. */
  readonly finalSteps: readonly WorkflowStep[];
  /** Leaves the subject in a state a human can work from (e.g. context `cleanup_required`). */
  onStop(run: WorkflowRun, error: WorkflowStopError): Promise<void>;
}

async function readRecord(ctx: ActuatorContext, jobId: string): Promise<RequestRecordView | null> {
  const row = await ctx.db
    .selectFrom('oma_reconciler_cleanup_requests')
    .select(['status', 'journal', 'cancelled'])
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  return row ? { status: row.status, journal: row.journal, cancelled: row.cancelled === 1 } : null;
}

/** Runs (or resumes) a workflow; never throws for a failing step, only when the database itself fails. */
export async function runWorkflow(
  def: WorkflowDefinition,
  ctx: ActuatorContext,
  options: ResolvedWorkflowOptions,
): Promise<ActuatorResult> {
  const { subject } = def;
  const record = await readRecord(ctx, subject.jobId);
  const pre = await def.preflight(ctx, record);
  if (!pre.go) return refuse(def, ctx, record, pre.reason, pre.recordIt);
  const reRequested = record?.status === 'accepted';
  let journal: Journal | null = record ? parseJournal(record.journal, subject.kind) : null;
  if (journal?.finished) {
    const done = journal.finished;
    if (!reRequested) {
      return done.status === 'done'
        ? ok(`already done: ${done.message}`)
        : fail(`already ${done.status}: ${done.message}`, true);
    }
    journal = null;
  }
  if (journal?.stopped) {
    const { step, reason } = journal.stopped;
    if (!reRequested) {
      return fail(`stopped at ${step}, waiting for an operator: ${reason} (request the cleanup again to retry)`, true);
    }
    journal.stopped = null;
  }
  const total = def.steps.length + def.finalSteps.length;
  const now = ctx.clock();
  if (journal) {
    await resumeTrackingJob(ctx.db, journal.trackingJobId, now);
  } else {
    const trackingJobId = await startTrackingJob(
      ctx.db,
      {
        operation: def.operation,
        externalJobId: `${def.operation}-${def.externalJobLabel}-${Math.floor(now.getTime() / 1000)}`,
        contextId: subject.contextId,
        metadata: def.metadata,
      },
      now,
    );
    journal = newJournal(subject.kind, trackingJobId, now);
  }
  const run = new WorkflowRun(ctx, ctx.db, subject, journal, options, total);
  if (run.journal.completed.length === 0) {
    // Without a request record the run was started by the reconcilers themselves (a stuck failover).
    await run.persist(
      'accepted',
      `${def.operation} accepted (tracking job ${run.trackingJobId})`,
      record ? {} : { requestedBy: 'oma-reconciler (automatic)' },
    );
  }
  // The transaction works on a copy of the run; on a rollback the copy only tells which step failed.
  let inner: WorkflowRun | null = null;
  try {
    await runSteps(run, def.steps, 0);
    const finished = await ctx.db.transaction().execute(async (trx) => {
      inner = run.withDb(trx);
      await runSteps(inner, def.finalSteps, def.steps.length);
      const outcome = inner.data<WorkflowOutcome>('outcome', outcomeSchema, {
        status: 'failed',
        message: 'the workflow ended without an outcome',
      });
      inner.journal.finished = { at: inner.now().toISOString(), status: outcome.status, message: outcome.message };
      await endTrackingJob(
        trx,
        inner.trackingJobId,
        {
          status: outcome.status === 'done' ? 'completed' : 'failed',
          error: outcome.status === 'done' ? null : outcome.message,
          percent: 100,
        },
        inner.now(),
      );
      await inner.persist(outcome.status, outcome.message);
      return outcome;
    });
    return finished.status === 'done' ? ok(finished.message) : fail(finished.message, true);
  } catch (e) {
    const failedIn = (inner as WorkflowRun | null)?.currentStep ?? run.currentStep;
    return ended(def, run, coerceError(e), failedIn ?? { name: 'start', title: 'start' });
  }
}

async function refuse(
  def: WorkflowDefinition,
  ctx: ActuatorContext,
  record: RequestRecordView | null,
  reason: string,
  recordIt: boolean,
): Promise<ActuatorResult> {
  if (recordIt) {
    const now = ctx.clock();
    const journal = record ? parseJournal(record.journal, def.subject.kind) : null;
    if (journal && !journal.finished) {
      journal.finished = { at: now.toISOString(), status: 'refused', message: reason };
      await endTrackingJob(ctx.db, journal.trackingJobId, { status: 'cancelled', error: reason, percent: 0 }, now);
    }
    const { jobId, jobKind, contextId, vmName } = def.subject;
    await writeCleanupStatus(
      ctx.db,
      { jobId, jobKind, status: 'refused', message: reason, contextId, vmName, ...(journal ? { journal } : {}) },
      now,
    );
  }
  return fail(`refused: ${reason}`, true);
}

async function ended(
  def: WorkflowDefinition,
  run: WorkflowRun,
  error: Error,
  step: { readonly name: string; readonly title: string },
): Promise<ActuatorResult> {
  const now = run.now();
  run.currentStep = step;
  if (error instanceof WorkflowStopError) {
    run.journal.stopped = { step: step.name, reason: error.message };
    await def.onStop(run, error);
    const message = `stopped at "${step.title}" for an operator: ${error.message}`;
    await endTrackingJob(
      run.db,
      run.trackingJobId,
      { status: 'failed', error: message, percent: (run.journal.completed.length / run.totalSteps) * 100 },
      now,
    );
    await run.persist('failed', message);
    return fail(message, true);
  }
  if (error instanceof WorkflowRefusedError || error instanceof WorkflowCancelledError) {
    const status: 'refused' | 'failed' = error instanceof WorkflowRefusedError ? 'refused' : 'failed';
    const message =
      error instanceof WorkflowRefusedError ? error.message : `${error.message}; stopped before "${step.title}"`;
    run.journal.finished = { at: now.toISOString(), status, message };
    await endTrackingJob(
      run.db,
      run.trackingJobId,
      { status: 'cancelled', error: message, percent: (run.journal.completed.length / run.totalSteps) * 100 },
      now,
    );
    await run.persist(status, message);
    return fail(message, true);
  }
  const message = `"${step.title}" did not finish: ${error.message}; the cleanup resumes there at the next pass`;
  await run.persist('running', message);
  return fail(message, false);
}
