/**
 * "In flight": a context with a failover job that is neither terminal nor stuck, or a replication
 * job that is genuinely active. Work on such a context belongs to the running workflow.
 */
import type { Policy } from '../../src/reconcile/types.js';
import { failoverState } from './failover-state.js';
import { replicationState } from './replication-state.js';
import type { WorldIndex } from './world-index.js';

/** Contexts in flight, each with the reason, split by the kind of job. */
export interface InFlight {
  readonly failover: ReadonlyMap<string, string>;
  readonly replication: ReadonlyMap<string, string>;
}

/** Finds every context with work in progress. */
export function findInFlight(idx: WorldIndex, policy: Policy, now: Date): InFlight {
  const failover = new Map<string, string>();
  const replication = new Map<string, string>();
  for (const job of idx.world.database.failoverJobs) {
    const s = failoverState(job, idx.jobTracking.get(job.jobId), policy, now);
    if (s.state === 'active' && !failover.has(job.vmContextId)) {
      failover.set(job.vmContextId, `${job.jobType} failover ${job.jobId} in progress (${s.detail})`);
    }
  }
  for (const job of idx.world.database.replicationJobs) {
    if (replicationState(job, policy, now) === 'active' && !replication.has(job.vmContextId)) {
      replication.set(job.vmContextId, `replication job ${job.id} is ${job.status}`);
    }
  }
  return { failover, replication };
}

/** The reason a context is in flight, or null. */
export function inFlightReason(inFlight: InFlight, contextId: string | null): string | null {
  if (contextId === null) return null;
  return inFlight.failover.get(contextId) ?? inFlight.replication.get(contextId) ?? null;
}
