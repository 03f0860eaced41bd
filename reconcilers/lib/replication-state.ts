/**
 * How alive a replication job is. "Genuinely active" is what blocks other work on its context and
 * what a cleanup request refuses; a job idle past `stuckReplicationSeconds` no longer counts.
 */
import type { Policy } from '../../src/reconcile/types.js';
import type { ReplicationJobRow } from '../../src/world/world.js';
import { ageSeconds, newest } from './time.js';

/** OMA-side setup phases; a failing phase leaves the row there for ever (§1.4, incident 5). */
export const SETUP_PHASES: readonly string[] = [
  'initializing',
  'analyzing',
  'provisioning',
  'attaching',
  'configuring',
  'ready_for_sync',
];

/** Statuses after which nothing will move the job again. */
export const TERMINAL_REPLICATION_STATUSES: readonly string[] = [
  'completed',
  'failed',
  'cancelled',
  'replication_failed',
];

/** `terminal`; `active`; `stuck-setup` (setup phase, idle too long); `stale` (running phase, no progress). */
export type ReplicationState = 'terminal' | 'active' | 'stuck-setup' | 'stale';

/** The newest progress signal of a job: row update or last SNA poll (creation time as a last resort). */
export function lastProgressAt(job: ReplicationJobRow): string | null {
  return newest(job.updatedAt, job.vmaLastPollAt) ?? job.createdAt;
}

/** Classifies a job; an unknown idle time counts as active (fail safe). */
export function replicationState(job: ReplicationJobRow, policy: Policy, now: Date): ReplicationState {
  if (TERMINAL_REPLICATION_STATUSES.includes(job.status)) return 'terminal';
  const idle = ageSeconds(lastProgressAt(job), now);
  if (idle === null || idle <= policy.stuckReplicationSeconds) return 'active';
  return SETUP_PHASES.includes(job.status) ? 'stuck-setup' : 'stale';
}
