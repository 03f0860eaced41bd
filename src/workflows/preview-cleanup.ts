import type { World } from '../world/world.js';
import { analyseFailover } from './failed-execution/analyse-failover.js';
import type { FailoverAnalysis } from './failed-execution/failover-analysis.js';
import { failoverFactsFromWorld } from './failed-execution/failover-facts-from-world.js';
import { analyseReplicationJob } from './replication-job/analyse-replication-job.js';
import type { ReplicationAnalysis } from './replication-job/replication-analysis.js';
import { replicationFactsFromWorld } from './replication-job/replication-facts.js';

/**
 * The analysis a cleanup would record, computed from a world snapshot instead of live reads (pure):
 * give it to `plannedSteps` to show what a cleanup of this job will do. Null when the world does not
 * hold the job.
 */
export function previewCleanup(
  world: World,
  request:
    | { readonly kind: 'failed-execution-cleanup'; readonly failoverJobId: string }
    | { readonly kind: 'replication-job-cleanup'; readonly jobId: string; readonly keepVolumes: boolean },
): FailoverAnalysis | ReplicationAnalysis | null {
  const now = new Date(world.observedAt);
  if (request.kind === 'failed-execution-cleanup') {
    const facts = failoverFactsFromWorld(world, request.failoverJobId);
    return facts ? analyseFailover(facts, now) : null;
  }
  const facts = replicationFactsFromWorld(world, request.jobId, request.keepVolumes);
  return facts ? analyseReplicationJob(facts, now) : null;
}
