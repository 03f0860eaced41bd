import type { WorkflowRun } from '../workflow-run.js';

/**
 * The `vm_replication_contexts.last_operation_summary` JSON the OMA GUI shows as a banner, shaped
 * like the failover engine's (oma-system.md §4.1) with `operation_type` `failed_execution_cleanup`.
 */
export async function writeOperationSummary(
  run: WorkflowRun,
  contextId: string,
  outcome: {
    readonly status: 'completed' | 'failed';
    readonly message: string;
    readonly failedStep?: string;
    readonly category?: string;
  },
): Promise<void> {
  const now = run.now();
  const job = await run.db
    .selectFrom('job_tracking')
    .select(['external_job_id', 'started_at'])
    .where('id', '=', run.trackingJobId)
    .executeTakeFirst();
  const startedAt = job?.started_at ?? new Date(run.journal.startedAt);
  const summary = {
    job_id: run.trackingJobId,
    external_job_id: job?.external_job_id ?? null,
    operation_type: 'failed_execution_cleanup',
    status: outcome.status,
    progress: outcome.status === 'completed' ? 100 : Math.round((run.journal.completed.length / run.totalSteps) * 100),
    timestamp: now.toISOString(),
    steps_completed: run.journal.completed.length,
    steps_total: run.totalSteps,
    duration_seconds: Math.max(0, Math.round((now.getTime() - startedAt.getTime()) / 1000)),
    message: outcome.message,
    ...(outcome.failedStep === undefined ? {} : { failed_step: outcome.failedStep }),
    ...(outcome.status === 'failed'
      ? { error_message: outcome.message, error_category: outcome.category ?? 'cleanup' }
      : {}),
  };
  await run.db
    .updateTable('vm_replication_contexts')
    .set({ last_operation_summary: JSON.stringify(summary), updated_at: now })
    .where('context_id', '=', contextId)
    .execute();
}
