/**
 * stuck-replication-job — replication jobs that will never move again, and contexts whose
 * `current_job_id` blocks every new replication with HTTP 409 (incident 5): a setup phase that errored
 * leaves the row in `initializing`…`ready_for_sync` for ever; a finished job may still be "current".
 *
 * Desired/actual: `replication_jobs` status and update/poll times against
 * `stuckReplicationSeconds`; `vm_replication_contexts.current_job_id` (database only).
 *
 * Actions: setup phase idle too long → `mark-replication-job-failed` (+ `clear-current-job` when it
 * is the context's current job); `current_job_id` on a terminal job → `clear-current-job`. A job in
 * `replicating` without progress is reported only: the data mover runs on another host (the SNA) and
 * may still be copying — the note says how to request a cleanup. Safety rails: paused; these are the
 * workflow actions the in-flight gate lets through for their own context.
 */
import type { DriftItem, Policy } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { ReplicationJobRow, World } from '../src/world/world.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { lastProgressAt, replicationState } from './lib/replication-state.js';
import { ageSeconds, formatSeconds } from './lib/time.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';

function progressFact(job: ReplicationJobRow, now: Date): string {
  const idle = ageSeconds(lastProgressAt(job), now);
  return `replication job ${job.status}${job.currentOperation ? ` (${job.currentOperation})` : ''}, last progress ${lastProgressAt(job) ?? 'unknown'}${idle === null ? '' : `, ${formatSeconds(idle)} ago`}`;
}

function diff(world: World, policy: Policy, now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete) return [];
  const items: DriftItem[] = [];
  const threshold = formatSeconds(policy.stuckReplicationSeconds);
  for (const job of world.database.replicationJobs) {
    const state = replicationState(job, policy, now);
    const ctx = idx.contexts.get(job.vmContextId);
    const isCurrent = ctx?.currentJobId === job.id;
    const base = {
      kind: 'stuck-replication-job' as const,
      class: 'stuck' as const,
      subject: { type: 'replication-job' as const, id: job.id, name: ctx?.vmName ?? null },
      contextId: job.vmContextId,
    };
    const ctxFact = fact(
      'database',
      ctx
        ? `context ${ctx.contextId} is ${ctx.currentStatus}, current_job_id ${ctx.currentJobId ?? 'NULL'}`
        : `context ${job.vmContextId} not found`,
    );
    if (state === 'stuck-setup') {
      const reason = `stuck in setup phase ${job.status}: no update for longer than ${threshold}`;
      items.push(
        makeDrift({
          ...base,
          evidence: [fact('database', `${progressFact(job, now)} (limit ${threshold})`), ctxFact],
          actions: [
            {
              action: 'mark-replication-job-failed',
              params: { jobId: job.id, contextId: job.vmContextId, fromStatus: job.status, reason },
              destructive: false,
            },
            ...(isCurrent
              ? [
                  {
                    action: 'clear-current-job' as const,
                    params: { contextId: job.vmContextId, jobId: job.id },
                    destructive: false,
                  },
                ]
              : []),
          ],
        }),
      );
    } else if (state === 'stale') {
      items.push(
        makeDrift({
          ...base,
          evidence: [fact('database', `${progressFact(job, now)} (limit ${threshold})`), ctxFact],
          actions: [],
          note: `report only: the data mover runs on the SNA and may still be copying; check it, then request a cleanup (oma-reconciler cleanup request ${job.id})`,
        }),
      );
    } else if (state === 'terminal' && isCurrent) {
      items.push(
        makeDrift({
          ...base,
          evidence: [
            fact(
              'database',
              `current_job_id of ${job.vmContextId} points at ${job.id}, which is ${job.status}${job.completedAt ? ` since ${job.completedAt}` : ''}`,
            ),
            ctxFact,
          ],
          actions: [
            { action: 'clear-current-job', params: { contextId: job.vmContextId, jobId: job.id }, destructive: false },
          ],
        }),
      );
    }
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "records the phase it failed from and why": job-new of ctx-web has been `attaching` for 2 h
 * // (limit 30 min) and is the context's current job
 * stuckReplicationJob.diff(world, policy, now)
 * // → [{ id: 'stuck-replication-job:replication-job:job-new', class: 'stuck', actions: [
 * //      { action: 'mark-replication-job-failed', params: { jobId: 'job-new', contextId: 'ctx-web', fromStatus: 'attaching',
 * //        reason: 'stuck in setup phase attaching: no update for longer than 30m' }, destructive: false },
 * //      { action: 'clear-current-job', params: { contextId: 'ctx-web', jobId: 'job-new' }, destructive: false }] }]
 */
export const stuckReplicationJob: Reconciler = { kind: 'stuck-replication-job', needs: ['database'], diff };
