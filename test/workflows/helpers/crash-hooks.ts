import type { WorkflowHooks } from '../../../src/workflows/index.js';

/** Hooks that make a run stop right after `step` completed, as if the process died there. */
export function crashAfter(step: string): WorkflowHooks {
  return {
    afterStep: (_workflow, name) => {
      if (name === step) throw new Error(`simulated crash after ${name}`);
    },
  };
}

/** The failed-execution cleanup's steps, in order (`job_steps.name`). */
export const FAILED_EXECUTION_STEP_NAMES = [
  'analyze-failed-execution',
  'test-vm-shutdown',
  'volume-detachment',
  'snapshot-revert',
  'snapshot-deletion',
  'test-vm-deletion',
  'volume-reattachment-to-oma',
  'database-reset',
  'validation',
] as const;

/** The replication-job cleanup's steps, in order. */
export const REPLICATION_JOB_STEP_NAMES = [
  'analyze-replication-job',
  'nbd-export-removal',
  'volume-cleanup',
  'database-cleanup',
  'validation',
] as const;
