/**
 * "In flight": work another writer is doing, which nothing of ours may touch until it ends.
 * - a context with a failover job that is neither terminal nor stuck, or a genuinely active
 *   replication job (the running workflow owns the context);
 * - a volume with a Volume Daemon operation `pending`/`executing` (younger than the stale limit),
 *   or one that ended within the settle window, and the context that volume belongs to;
 * - a context the OMA's own cleanup, rollback or failover job is running on (`job_tracking`,
 *   owner other than oma-reconciler), matched by VM name when the row has no context id;
 * - a volume CloudStack lists with an async job pending on it (whoever submitted it), and its context.
 */
import type { Policy } from '../../src/reconcile/types.js';
import { failoverState } from './failover-state.js';
import { replicationState } from './replication-state.js';
import { ageSeconds } from './time.js';
import type { WorldIndex } from './world-index.js';

/** Who our own `job_tracking` rows name as owner (they never hold us back). */
export const OWN_JOB_OWNER = 'oma-reconciler';

/** Contexts and volumes in flight, each with the reason, split by who is working. */
export interface InFlight {
  readonly failover: ReadonlyMap<string, string>;
  readonly replication: ReadonlyMap<string, string>;
  /** Volume id → the Volume Daemon operation holding it. */
  readonly volumes: ReadonlyMap<string, string>;
  /** Context id → the appliance's own work holding it (a volume operation or a running OMA job). */
  readonly appliance: ReadonlyMap<string, string>;
}

const OPEN_OPERATION = new Set(['pending', 'executing']);
const APPLIANCE_JOB_TYPES = new Set(['cleanup', 'failover']);
const RUNNING_JOB = new Set(['pending', 'running']);

function setOnce(map: Map<string, string>, key: string, reason: string): void {
  if (!map.has(key)) map.set(key, reason);
}

/** Volumes (and their contexts) held by a Volume Daemon operation. */
function volumeOperations(
  idx: WorldIndex,
  policy: Policy,
  settleSeconds: number,
  now: Date,
  volumes: Map<string, string>,
  appliance: Map<string, string>,
): void {
  for (const op of idx.world.database.volumeOperations) {
    if (op.volumeId === '') continue;
    let reason: string | null = null;
    if (OPEN_OPERATION.has(op.status)) {
      // Its writer died (our own process, killed): nobody works on the volume; orphan-row fails the row.
      if (op.writerGone === true) continue;
      const age = ageSeconds(op.createdAt, now);
      if (age !== null && age <= policy.staleVolumeOperationSeconds) {
        reason = `Volume Daemon ${op.type} ${op.id} of volume ${op.volumeId} is ${op.status} (started ${Math.round(age)} s ago)`;
      }
    } else {
      const since = ageSeconds(op.updatedAt, now);
      if (since !== null && since < settleSeconds) {
        reason = `Volume Daemon ${op.type} ${op.id} of volume ${op.volumeId} ended ${op.status} ${Math.round(since)} s ago (settle ${settleSeconds} s)`;
      }
    }
    if (reason === null) continue;
    setOnce(volumes, op.volumeId, reason);
    const contextId = idx.osseaVolumes.get(op.volumeId)?.vmContextId;
    if (contextId !== undefined) setOnce(appliance, contextId, reason);
  }
}

/** Volumes (and their contexts) CloudStack shows with a job pending: a move is under way. */
function pendingCloudStackJobs(idx: WorldIndex, volumes: Map<string, string>, appliance: Map<string, string>): void {
  for (const v of idx.world.cloudstack.volumes) {
    if (v.pendingJobId === undefined) continue;
    const reason = `CloudStack job ${v.pendingJobId} is pending on volume ${v.id}`;
    setOnce(volumes, v.id, reason);
    const contextId = idx.osseaVolumes.get(v.id)?.vmContextId;
    if (contextId !== undefined) setOnce(appliance, contextId, reason);
  }
}

/** Contexts the OMA's own cleanup/rollback/failover jobs are working on. */
function applianceJobs(idx: WorldIndex, policy: Policy, now: Date, appliance: Map<string, string>): void {
  for (const job of idx.world.database.jobTracking) {
    if (!RUNNING_JOB.has(job.status) || !APPLIANCE_JOB_TYPES.has(job.jobType) || job.owner === OWN_JOB_OWNER) continue;
    const idle = ageSeconds(job.lastActivityAt ?? job.startedAt, now);
    if (idle !== null && idle > policy.applianceJobStaleSeconds) continue;
    const reason = `the OMA's own ${job.operation} job ${job.id} is ${job.status}${job.currentStep ? ` (step ${job.currentStep})` : ''}`;
    if (job.contextId) {
      setOnce(appliance, job.contextId, reason);
      continue;
    }
    // The GUI's failed-execution cleanup writes no context id; its external id carries the VM name.
    const external = job.externalJobId ?? '';
    if (external === '') continue;
    for (const ctx of idx.contexts.values()) {
      if (ctx.vmName !== '' && external.includes(`-${ctx.vmName}-`)) setOnce(appliance, ctx.contextId, reason);
    }
  }
}

/**
 * Finds every context and volume with work in progress. `settleSeconds`: how long a finished Volume
 * Daemon operation still holds its volume (the grace override replaces the policy's value).
 */
export function findInFlight(
  idx: WorldIndex,
  policy: Policy,
  now: Date,
  settleSeconds = policy.volumeOperationSettleSeconds,
): InFlight {
  const failover = new Map<string, string>();
  const replication = new Map<string, string>();
  const volumes = new Map<string, string>();
  const appliance = new Map<string, string>();
  for (const job of idx.world.database.failoverJobs) {
    const s = failoverState(job, idx.jobTracking.get(job.jobId), policy, now);
    if (s.state === 'active') {
      setOnce(failover, job.vmContextId, `${job.jobType} failover ${job.jobId} in progress (${s.detail})`);
    }
  }
  for (const job of idx.world.database.replicationJobs) {
    if (replicationState(job, policy, now) === 'active') {
      setOnce(replication, job.vmContextId, `replication job ${job.id} is ${job.status}`);
    }
  }
  volumeOperations(idx, policy, settleSeconds, now, volumes, appliance);
  pendingCloudStackJobs(idx, volumes, appliance);
  applianceJobs(idx, policy, now, appliance);
  return { failover, replication, volumes, appliance };
}

/** The reason a context's own job is in flight (failover or replication), or null. */
export function inFlightReason(inFlight: InFlight, contextId: string | null): string | null {
  if (contextId === null) return null;
  return inFlight.failover.get(contextId) ?? inFlight.replication.get(contextId) ?? null;
}

/** The reason another writer of the appliance holds a context or one of these volumes, or null. */
export function applianceHold(
  inFlight: InFlight,
  contextId: string | null,
  volumeIds: readonly string[],
): string | null {
  for (const id of volumeIds) {
    const reason = inFlight.volumes.get(id);
    if (reason !== undefined) return reason;
  }
  return contextId === null ? null : (inFlight.appliance.get(contextId) ?? null);
}
