import { failoverCleanupPreview } from './failover-preview.js';
import type { GatedDrift } from '../../reconcile/types.js';
import type { World } from '../../world/world.js';
import type { FailedOperation } from './status-page-data.js';

/**
 * The stuck or failed failovers/rollbacks the page shows a banner for: every failover job that the
 * `stuck-failover-job` reconciler flagged, or that has an open cleanup request.
 */
export function failedOperations(world: World, gated: readonly GatedDrift[]): FailedOperation[] {
  const contexts = new Map(world.database.contexts.map((c) => [c.contextId, c]));
  const tracking = new Map(world.database.jobTracking.map((j) => [j.id, j]));
  const requests = new Map(world.database.cleanupRequests.map((r) => [r.jobId, r]));
  const out = new Map<string, FailedOperation>();
  for (const d of gated) {
    if (d.kind !== 'stuck-failover-job' || d.subject.type !== 'failover-job') continue;
    const job = world.database.failoverJobs.find((f) => f.jobId === d.subject.id);
    if (!job) continue;
    const ctx = contexts.get(job.vmContextId);
    if (!ctx) continue;
    const t = tracking.get(job.jobId);
    const request = requests.get(job.jobId);
    out.set(job.jobId, {
      vmName: ctx.vmName,
      contextId: ctx.contextId,
      failoverJobId: job.jobId,
      operation: t?.operation ?? `${job.jobType}-failover`,
      stuckSince: t?.lastActivityAt ?? job.updatedAt,
      reason: d.evidence.map((e) => e.fact).join('; '),
      steps: failoverCleanupPreview(world, job, new Date(world.observedAt)),
      cleanup: request && request.status !== 'refused' ? { status: request.status, jobId: job.jobId } : null,
    });
  }
  for (const r of world.database.cleanupRequests) {
    if (r.jobKind !== 'failover' || out.has(r.jobId) || (r.status !== 'running' && r.status !== 'accepted')) continue;
    const job = world.database.failoverJobs.find((f) => f.jobId === r.jobId);
    const ctx = job ? contexts.get(job.vmContextId) : undefined;
    if (!job || !ctx) continue;
    out.set(r.jobId, {
      vmName: ctx.vmName,
      contextId: ctx.contextId,
      failoverJobId: job.jobId,
      operation: `${job.jobType}-failover`,
      stuckSince: job.updatedAt,
      reason: r.message ?? 'cleanup requested',
      steps: failoverCleanupPreview(world, job, new Date(world.observedAt)),
      cleanup: { status: r.status, jobId: r.jobId },
    });
  }
  return [...out.values()].sort((a, b) => a.vmName.localeCompare(b.vmName));
}
