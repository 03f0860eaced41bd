/**
 * The failed-execution cleanup: a failover (or rollback) that died half-way is brought back to a
 * `ready_for_failover` context — test VM stopped and destroyed, volumes detached, reverted to their
 * failover snapshots, snapshots deleted only after a successful revert, volumes back on the OMA
 * with their mappings and exports, rows reset, and the result validated (oma-system.md §4.3 done
 * without its gaps). Each step is judged from CloudStack, not from `device_mappings`.
 *
 * A live failover is never touched without a request (its VM may be production); a revert that
 * fails keeps its snapshot, stops the run and leaves the context `cleanup_required` for a human.
 */
import type { ActuatorContext, ActuatorResult } from '../../engine/actuators/actuator-context.js';
import { ANNOTATION } from '../../../reconcilers/lib/names.js';
import { isCleanupOpen } from '../../reconcile/outcomes.js';
import { failoverState } from '../../../reconcilers/lib/failover-state.js';
import { runWorkflow, type Preflight, type RequestRecordView, type WorkflowDefinition } from '../run-workflow.js';
import type { WorkflowStopError } from '../workflow-errors.js';
import type { ResolvedWorkflowOptions } from '../workflow-options.js';
import type { WorkflowRun } from '../workflow-run.js';
import { analyseStep } from './analyse-step.js';
import { databaseResetStep } from './database-reset-step.js';
import { writeOperationSummary } from './operation-summary.js';
import { readFailoverRows } from './read-failover-facts.js';
import { deleteSnapshotsStep, revertSnapshotsStep } from './snapshot-steps.js';
import { destroyTestVmsStep, stopTestVmsStep } from './test-vm-steps.js';
import { validateFailoverStep } from './validate-failover-step.js';
import { detachVolumesStep, reattachVolumesStep } from './volume-steps.js';

/** What the engine passes (from the gated action). */
export interface FailedExecutionParams {
  readonly contextId: string;
  readonly failoverJobId: string;
  readonly vmName: string;
}

/** Steps 1 to 7, in order, each committed on its own. */
export const FAILED_EXECUTION_STEPS = [
  analyseStep,
  stopTestVmsStep,
  detachVolumesStep,
  revertSnapshotsStep,
  deleteSnapshotsStep,
  destroyTestVmsStep,
  reattachVolumesStep,
] as const;
/** Steps 8 and 9, committed in one transaction with the outcome. */
export const FAILED_EXECUTION_FINAL_STEPS = [databaseResetStep, validateFailoverStep] as const;

async function preflight(
  params: FailedExecutionParams,
  ctx: ActuatorContext,
  record: RequestRecordView | null,
  options: ResolvedWorkflowOptions,
): Promise<Preflight> {
  const rows = await readFailoverRows(ctx.db, params.failoverJobId);
  const requested =
    rows?.failover.annotations[ANNOTATION.cleanup] === 'requested' || (record !== null && isCleanupOpen(record.status));
  const refuse = (reason: string, recordIt = requested): Preflight => ({ go: false, reason, recordIt });
  if (!rows) return refuse(`failover job ${params.failoverJobId} does not exist`);
  const { failover, context, tracking } = rows;
  if (!context || failover.vmContextId !== params.contextId) {
    return refuse(`failover job ${params.failoverJobId} does not belong to context ${params.contextId}`);
  }
  // The reconcilers never propose this for a live failover; a direct call must not slip through either.
  if (failover.jobType === 'live' && !requested) {
    return refuse(
      `failover ${failover.jobId} is a live failover: it is cleaned up only on request (its VM may be production)`,
      false,
    );
  }
  if (failover.jobType === 'live' && failover.status === 'completed') {
    return refuse('a completed live failover runs production; it is not undone by a cleanup');
  }
  const state = failoverState(failover, tracking ?? undefined, options.policy, ctx.clock());
  if (state.state === 'active') return refuse(`the failover is still running (${state.detail})`);
  return { go: true };
}

/** After a stop: the context waits for a human in `cleanup_required`, the failover is recorded failed with the reason. */
async function onStop(run: WorkflowRun, error: WorkflowStopError, params: FailedExecutionParams): Promise<void> {
  const now = run.now();
  const reason = `cleanup stopped for an operator: ${error.message}`;
  await run.db
    .updateTable('failover_jobs')
    .set({ status: 'failed', error_message: reason, updated_at: now })
    .where('job_id', '=', params.failoverJobId)
    .execute();
  await run.db
    .updateTable('job_tracking')
    .set({ status: 'failed', completed_at: now, updated_at: now, error_message: reason })
    .where('id', '=', params.failoverJobId)
    .where('status', 'in', ['running', 'pending'])
    .execute();
  await run.db
    .updateTable('vm_replication_contexts')
    .set({ current_status: 'cleanup_required', last_status_change: now, updated_at: now })
    .where('context_id', '=', params.contextId)
    .execute();
  await writeOperationSummary(run, params.contextId, {
    status: 'failed',
    message: error.message,
    failedStep: run.currentStep?.name ?? 'start',
    category: 'needs_operator',
  });
}

/** Runs (or resumes) the failed-execution cleanup of one failover. */
export function runFailedExecutionCleanup(
  params: FailedExecutionParams,
  ctx: ActuatorContext,
  options: ResolvedWorkflowOptions,
): Promise<ActuatorResult> {
  const definition: WorkflowDefinition = {
    subject: {
      kind: 'failed-execution-cleanup',
      jobId: params.failoverJobId,
      jobKind: 'failover',
      contextId: params.contextId,
      vmName: params.vmName,
    },
    operation: 'failed-execution-cleanup',
    externalJobLabel: params.vmName,
    metadata: { failover_job_id: params.failoverJobId, context_id: params.contextId, vm_name: params.vmName },
    preflight: (c, record) => preflight(params, c, record, options),
    steps: FAILED_EXECUTION_STEPS,
    finalSteps: FAILED_EXECUTION_FINAL_STEPS,
    onStop: (run, error) => onStop(run, error, params),
  };
  return runWorkflow(definition, ctx, options);
}
