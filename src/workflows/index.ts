/**
 * PLACEHOLDER until the cleanup workflows land (issue 6): the workflow engineer replaces this
 * file. Every workflow action fails with a clear message, so nothing half-done can happen.
 */
import type { ActuatorResult, WorkflowPort } from '../engine/actuators/actuator-context.js';

const notYet = (): Promise<ActuatorResult> => Promise.resolve({ ok: false, message: 'cleanup workflows are not part of this build yet', terminal: true });

/** Creates the workflow runners. */
export function createWorkflows(): WorkflowPort {
  return { runFailedExecutionCleanup: notYet, runReplicationJobCleanup: notYet };
}

/** Human descriptions of the steps a cleanup will run. */
export function plannedSteps(kind: 'failed-execution-cleanup' | 'replication-job-cleanup'): string[] {
  return kind === 'failed-execution-cleanup'
    ? ['analyse', 'stop the test VM', 'detach volumes from the test VM', 'revert snapshots', 'delete reverted snapshots', 'destroy the test VM', 'reattach volumes to the OMA', 'update the database', 'validate']
    : ['analyse', 'remove NBD exports', 'detach and delete volumes', 'delete rows', 'validate'];
}
