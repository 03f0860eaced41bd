import type { ProposedAction } from '../reconcile/types.js';

/**
 * The workflow an action starts, as one key per workflow run (`fec:<failover job>`,
 * `rjc:<replication job>`), or null for a plain action. Two reconcilers may propose the same
 * workflow (a stuck failover that is also requested for cleanup): execution runs it once, and the
 * budget counts it once.
 */
export function workflowKey(action: ProposedAction): string | null {
  if (action.action === 'run-failed-execution-cleanup') return `fec:${action.params.failoverJobId}`;
  if (action.action === 'run-replication-job-cleanup') return `rjc:${action.params.jobId}`;
  return null;
}
