/**
 * How alive a failover job is, judged from its `job_tracking` row (same id) and the newest step/log
 * activity, because `failover_jobs` stays `pending` when the unified engine fails (incident 6).
 */
import type { Policy } from '../../src/reconcile/types.js';
import type { FailoverJobRow, JobTrackingRow } from '../../src/world/world.js';
import { ageSeconds, formatSeconds } from './time.js';

/** Failover statuses after which the engine does nothing more. */
export const TERMINAL_FAILOVER_STATUSES: readonly string[] = ['completed', 'failed', 'cleanup', 'cancelled'];

/** The step whose external tool (virt-v2v) legitimately runs for a long time (incident 7). */
export const VIRTIO_STEP = 'virtio-driver-injection';

/** Verdict on one failover job. */
export interface FailoverState {
  readonly state: 'terminal' | 'active' | 'stuck';
  /** Stuck in a way the failed-execution cleanup is meant for (tracking failed, or no activity). */
  readonly recoverable: boolean;
  readonly detail: string;
}

/** Classifies a failover job; missing timestamps count as activity (fail safe). */
export function failoverState(
  job: FailoverJobRow,
  tracking: JobTrackingRow | undefined,
  policy: Policy,
  now: Date,
): FailoverState {
  if (TERMINAL_FAILOVER_STATUSES.includes(job.status)) {
    return { state: 'terminal', recoverable: false, detail: `failover_jobs status ${job.status}` };
  }
  if (!tracking) {
    const idle = ageSeconds(job.updatedAt || job.createdAt, now);
    return idle !== null && idle > policy.stuckFailoverSeconds
      ? {
          state: 'stuck',
          recoverable: false,
          detail: `no job_tracking row ${job.jobId}; row unchanged for ${formatSeconds(idle)}`,
        }
      : { state: 'active', recoverable: false, detail: `no job_tracking row ${job.jobId}; row updated recently` };
  }
  if (tracking.status === 'failed' || tracking.status === 'cancelled') {
    const why = tracking.errorMessage ? `: ${tracking.errorMessage}` : '';
    return { state: 'stuck', recoverable: true, detail: `job_tracking ${tracking.id} is ${tracking.status}${why}` };
  }
  if (tracking.status === 'completed') {
    return {
      state: 'stuck',
      recoverable: false,
      detail: `job_tracking ${tracking.id} is completed but failover_jobs still says ${job.status}`,
    };
  }
  const limit = tracking.currentStep === VIRTIO_STEP ? policy.stuckVirtioSeconds : policy.stuckFailoverSeconds;
  const idle = ageSeconds(tracking.lastActivityAt ?? tracking.startedAt ?? job.updatedAt, now);
  const step = tracking.currentStep ?? 'no step';
  if (idle !== null && idle > limit) {
    return {
      state: 'stuck',
      recoverable: true,
      detail: `no step/log activity for ${formatSeconds(idle)} in ${step} (limit ${formatSeconds(limit)})`,
    };
  }
  return {
    state: 'active',
    recoverable: false,
    detail: `${step} active ${idle === null ? 'recently' : `${formatSeconds(idle)} ago`}`,
  };
}
