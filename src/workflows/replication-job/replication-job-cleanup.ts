/**
 * The requested replication-job cleanup (seed "comprehensive job cleanup", done safely): analysis
 * of everything the job owns, its NBD exports removed (backups by the export manager, one reload
 * for the pass), its volumes detached and deleted only when no other job of the context completed
 * and keep-volumes is not set, its rows deleted with the cascades, the context recomputed, and a
 * validation that nothing of the job remains. Refused while the job is genuinely active or a
 * failover of the context is in flight.
 */
import type { ActuatorContext, ActuatorResult } from '../../engine/actuators/actuator-context.js';
import { failoverState } from '../../../reconcilers/lib/failover-state.js';
import { replicationState } from '../../../reconcilers/lib/replication-state.js';
import type { JobTrackingRow, ReplicationJobRow } from '../../world/world.js';
import { readFailoverRows } from '../failed-execution/read-failover-facts.js';
import { runWorkflow, type Preflight, type WorkflowDefinition } from '../run-workflow.js';
import type { ResolvedWorkflowOptions } from '../workflow-options.js';
import { deleteJobRowsStep, validateJobCleanupStep } from './job-rows-steps.js';
import { analyseJobStep, cleanupVolumesStep, removeExportsStep } from './replication-steps.js';

/** What the engine passes (from the gated action). */
export interface ReplicationJobCleanupParams {
  readonly contextId: string;
  readonly jobId: string;
  readonly keepVolumes: boolean;
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

type JobLiveness = Pick<ReplicationJobRow, 'status' | 'updatedAt' | 'vmaLastPollAt' | 'createdAt'> & {
  readonly id: string;
};

async function contextJobs(ctx: ActuatorContext, contextId: string): Promise<JobLiveness[]> {
  const rows = await ctx.db
    .selectFrom('replication_jobs')
    .select(['id', 'status', 'updated_at', 'vma_last_poll_at', 'created_at'])
    .where('vm_context_id', '=', contextId)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    status: r.status ?? 'pending',
    updatedAt: iso(r.updated_at),
    vmaLastPollAt: iso(r.vma_last_poll_at),
    createdAt: iso(r.created_at),
  }));
}

async function preflight(
  params: ReplicationJobCleanupParams,
  ctx: ActuatorContext,
  options: ResolvedWorkflowOptions,
): Promise<Preflight> {
  const refuse = (reason: string): Preflight => ({ go: false, reason, recordIt: true });
  const now = ctx.clock();
  const policy = options.policy;
  const job = await ctx.db
    .selectFrom('replication_jobs')
    .select(['vm_context_id'])
    .where('id', '=', params.jobId)
    .executeTakeFirst();
  if (!job) return refuse(`replication job ${params.jobId} does not exist`);
  if (job.vm_context_id !== params.contextId) {
    return refuse(`replication job ${params.jobId} does not belong to context ${params.contextId}`);
  }
  const asRow = (j: JobLiveness) => ({
    ...j,
    vmContextId: params.contextId,
    replicationType: '',
    currentOperation: null,
    errorMessage: null,
    completedAt: null,
    annotations: {},
  });
  for (const j of await contextJobs(ctx, params.contextId)) {
    if (replicationState(asRow(j), policy, now) !== 'active') continue;
    return refuse(
      j.id === params.jobId
        ? `job is genuinely active (${j.status}); wait for it to finish or stall`
        : `another replication job (${j.id}, ${j.status}) of the context is active on the same volumes`,
    );
  }
  const context = await ctx.db
    .selectFrom('vm_replication_contexts')
    .select('current_status')
    .where('context_id', '=', params.contextId)
    .executeTakeFirst();
  if (context?.current_status.startsWith('failed_over_')) {
    return refuse(`context is ${context.current_status}; roll back or clean up the failover first`);
  }
  const failovers = await ctx.db
    .selectFrom('failover_jobs')
    .select('job_id')
    .where('vm_context_id', '=', params.contextId)
    .execute();
  for (const f of failovers) {
    const rows = await readFailoverRows(ctx.db, f.job_id);
    if (!rows) continue;
    const tracking: JobTrackingRow | undefined = rows.tracking ?? undefined;
    const s = failoverState(rows.failover, tracking, policy, now);
    if (s.state === 'active') {
      return refuse(
        `a failover is in flight for the context: ${rows.failover.jobType} failover ${f.job_id} (${s.detail})`,
      );
    }
  }
  return { go: true };
}

/** Runs (or resumes) the cleanup of one replication job. */
export async function runReplicationJobCleanup(
  params: ReplicationJobCleanupParams,
  ctx: ActuatorContext,
  options: ResolvedWorkflowOptions,
): Promise<ActuatorResult> {
  const context = await ctx.db
    .selectFrom('vm_replication_contexts')
    .select('vm_name')
    .where('context_id', '=', params.contextId)
    .executeTakeFirst();
  const definition: WorkflowDefinition = {
    subject: {
      kind: 'replication-job-cleanup',
      jobId: params.jobId,
      jobKind: 'replication',
      contextId: params.contextId,
      vmName: context?.vm_name ?? null,
    },
    operation: 'replication-job-cleanup',
    externalJobLabel: params.jobId,
    metadata: { replication_job_id: params.jobId, context_id: params.contextId, keep_volumes: params.keepVolumes },
    preflight: (c) => preflight(params, c, options),
    steps: [analyseJobStep(params.keepVolumes), removeExportsStep, cleanupVolumesStep],
    finalSteps: [deleteJobRowsStep, validateJobCleanupStep],
    // Nothing to hand over: the volumes and rows stay as the stopped step left them, named in the message.
    onStop: () => Promise.resolve(),
  };
  return runWorkflow(definition, ctx, options);
}
