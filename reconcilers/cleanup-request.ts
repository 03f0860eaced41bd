/**
 * cleanup-request — an operator (or the GUI) annotated a replication or failover job with
 * `oma-reconciler/cleanup: requested` and the request has no final outcome yet.
 *
 * Desired: the annotation (database `annotations` column) and the request record (reconciler's own
 * table; a request is finished once its record is `done`, `failed` or `refused`). Actual: the job's
 * status and liveness, and whether a failover is in flight for its context.
 *
 * Actions: replication job → `run-replication-job-cleanup` (honours `oma-reconciler/keep-volumes:
 * "true"`); failover job → `run-failed-execution-cleanup`; both destructive workflows. Otherwise
 * `refuse-cleanup-request` with the reason: invalid annotation value, job genuinely active, failover
 * in flight, another replication of the context active, context failed over, completed live
 * failover. Safety rails: paused, budget, sanity.
 */
import type { DriftItem, Policy, ProposedAction } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { Annotations, CleanupRequestRecord, World } from '../src/world/world.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { failoverState } from './lib/failover-state.js';
import { findInFlight } from './lib/in-flight.js';
import { ANNOTATION } from './lib/names.js';
import { isCleanupFinal } from '../src/reconcile/outcomes.js';
import { replicationState } from './lib/replication-state.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';

/** The pending request on a row, or null when there is none or it is already finished. */
function pendingRequest(
  a: Annotations,
  record: CleanupRequestRecord | undefined,
): { value: string; keepVolumes: string | undefined } | null {
  const value = a[ANNOTATION.cleanup];
  if (value === undefined) return null;
  const status = record?.status ?? a[ANNOTATION.cleanupStatus];
  if (status !== undefined && isCleanupFinal(status)) return null;
  return { value, keepVolumes: a[ANNOTATION.keepVolumes] };
}

/** A refusal reason for the annotation itself, or null when it is valid. */
function invalidAnnotation(value: string, keepVolumes: string | undefined): string | null {
  if (value !== 'requested') return `invalid ${ANNOTATION.cleanup} value "${value}" (expected "requested")`;
  if (keepVolumes !== undefined && keepVolumes !== 'true' && keepVolumes !== 'false') {
    return `invalid ${ANNOTATION.keepVolumes} value "${keepVolumes}" (expected "true" or "false"); not guessing whether to keep the volumes`;
  }
  return null;
}

function refuse(jobId: string, table: 'replication_jobs' | 'failover_jobs', reason: string): ProposedAction {
  return { action: 'refuse-cleanup-request', params: { jobId, table, reason }, destructive: false };
}

function diff(world: World, policy: Policy, now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete) return [];
  const inFlight = findInFlight(idx, policy, now);
  const records = new Map(world.database.cleanupRequests.map((r) => [`${r.jobKind}:${r.jobId}`, r]));
  const recordOf = (jobId: string, kind: CleanupRequestRecord['jobKind']): CleanupRequestRecord | undefined =>
    records.get(`${kind}:${jobId}`);
  const items: DriftItem[] = [];
  for (const job of world.database.replicationJobs) {
    const record = recordOf(job.id, 'replication');
    const req = pendingRequest(job.annotations, record);
    if (!req) continue;
    const ctx = idx.contexts.get(job.vmContextId);
    const state = replicationState(job, policy, now);
    const reason =
      invalidAnnotation(req.value, req.keepVolumes) ??
      (state === 'active' ? `job is genuinely active (${job.status}); wait for it to finish or stall` : null) ??
      (inFlight.failover.get(job.vmContextId)
        ? `a failover is in flight for the context: ${inFlight.failover.get(job.vmContextId) ?? ''}`
        : null) ??
      // This job is not active here, so an active replication of the context is another job using the same volumes.
      (inFlight.replication.get(job.vmContextId)
        ? `another ${inFlight.replication.get(job.vmContextId) ?? ''} on the same volumes`
        : null) ??
      (ctx?.currentStatus.startsWith('failed_over_')
        ? `context is ${ctx.currentStatus}; roll back or clean up the failover first`
        : null);
    const keepVolumes = req.keepVolumes === 'true' || record?.keepVolumes === true;
    items.push(
      makeDrift({
        kind: 'cleanup-request',
        class: 'requested',
        subject: { type: 'replication-job', id: job.id, name: ctx?.vmName ?? null },
        contextId: job.vmContextId,
        evidence: [
          fact(
            'database',
            `annotation ${ANNOTATION.cleanup}: "${req.value}"${req.keepVolumes ? `, ${ANNOTATION.keepVolumes}: "${req.keepVolumes}"` : ''}${record ? `; request ${record.status} (by ${record.requestedBy ?? 'unknown'})` : ''}`,
          ),
          fact('database', `replication job ${job.status}; context ${ctx ? ctx.currentStatus : 'not found'}`),
        ],
        actions: [
          reason
            ? refuse(job.id, 'replication_jobs', reason)
            : {
                action: 'run-replication-job-cleanup',
                params: { contextId: job.vmContextId, jobId: job.id, keepVolumes },
                destructive: true,
              },
        ],
        note: reason ? `refused: ${reason}` : keepVolumes ? 'the CloudStack volumes are kept' : null,
      }),
    );
  }
  for (const job of world.database.failoverJobs) {
    const record = recordOf(job.jobId, 'failover');
    const req = pendingRequest(job.annotations, record);
    if (!req) continue;
    const ctx = idx.contexts.get(job.vmContextId);
    const s = failoverState(job, idx.jobTracking.get(job.jobId), policy, now);
    const reason =
      invalidAnnotation(req.value, req.keepVolumes) ??
      (s.state === 'active' ? `the failover is still running (${s.detail})` : null) ??
      (job.jobType === 'live' && job.status === 'completed'
        ? 'a completed live failover runs production; it is not undone by a cleanup'
        : null) ??
      (s.state === 'terminal' && inFlight.failover.has(job.vmContextId)
        ? `another failover is in flight: ${inFlight.failover.get(job.vmContextId) ?? ''}`
        : null);
    items.push(
      makeDrift({
        kind: 'cleanup-request',
        class: 'requested',
        subject: { type: 'failover-job', id: job.jobId, name: job.sourceVmName },
        contextId: job.vmContextId,
        evidence: [
          fact(
            'database',
            `annotation ${ANNOTATION.cleanup}: "${req.value}"${record ? `; request ${record.status} (by ${record.requestedBy ?? 'unknown'})` : ''}`,
          ),
          fact(
            'database',
            `${job.jobType} failover ${job.status}: ${s.detail}; context ${ctx ? ctx.currentStatus : 'not found'}`,
          ),
        ],
        actions: [
          reason
            ? refuse(job.jobId, 'failover_jobs', reason)
            : {
                action: 'run-failed-execution-cleanup',
                params: {
                  contextId: job.vmContextId,
                  failoverJobId: job.jobId,
                  vmName: ctx?.vmName ?? job.sourceVmName,
                },
                destructive: true,
              },
        ],
        note: reason ? `refused: ${reason}` : null,
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "honours keep-volumes from the annotation": replication job job-web (completed) carries
 * // oma-reconciler/cleanup: "requested" and oma-reconciler/keep-volumes: "true"
 * cleanupRequest.diff(world, policy, now)
 * // → [{ id: 'cleanup-request:replication-job:job-web', class: 'requested', actions: [{ action: 'run-replication-job-cleanup',
 * //      params: { contextId: 'ctx-web', jobId: 'job-web', keepVolumes: true }, destructive: true }] }]
 */
export const cleanupRequest: Reconciler = { kind: 'cleanup-request', needs: ['database'], diff };
