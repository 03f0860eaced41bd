/**
 * The cleanup workflows the engine runs for `run-failed-execution-cleanup` and
 * `run-replication-job-cleanup`: resumable (journal in the request record), recorded as JobLog
 * rows the OMA GUI shows, and validated at the end.
 *
 * @example
 * const workflows = createWorkflows({ policy: policyFromConfig(config) });
 * const deps = createEngineDeps({ config, database, logger, workflows, actor: 'daemon' });
 */
import type { WorkflowPort } from '../engine/actuators/actuator-context.js';
import { runFailedExecutionCleanup } from './failed-execution/failed-execution-cleanup.js';
import { runReplicationJobCleanup } from './replication-job/replication-job-cleanup.js';
import { resolveWorkflowOptions, type WorkflowOptions } from './workflow-options.js';

export { plannedSteps, parseWorkflowAnalysis, type WorkflowAnalysis } from './planned-steps.js';
export { previewCleanup } from './preview-cleanup.js';
export type { FailoverAnalysis } from './failed-execution/failover-analysis.js';
export type { ReplicationAnalysis } from './replication-job/replication-analysis.js';
export type { WorkflowHooks, WorkflowKind, WorkflowOptions } from './workflow-options.js';

/** Creates the {@link WorkflowPort} the engine calls; one per composition root. */
export function createWorkflows(options: WorkflowOptions = {}): WorkflowPort {
  const resolved = resolveWorkflowOptions(options);
  return {
    runFailedExecutionCleanup: (params, ctx) => runFailedExecutionCleanup(params, ctx, resolved),
    runReplicationJobCleanup: (params, ctx) => runReplicationJobCleanup(params, ctx, resolved),
  };
}
