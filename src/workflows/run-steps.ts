import { coerceError } from '../errors.js';
import { finishStep, setTrackingProgress, startStep } from '../engine/store/job-log.js';
import type { WorkflowRun } from './workflow-run.js';

/** One resumable step. `run` re-checks live state, so running it again after a crash is safe. */
export interface WorkflowStep {
  /** `job_steps.name` (kebab-case, like the appliance's step names). */
  readonly name: string;
  /** What it does, for messages ("reattach the volumes to the OMA"). */
  readonly title: string;
  /** Does the step; returns the sentence logged when it completes. */
  run(run: WorkflowRun): Promise<string>;
}

/**
 * Runs the steps the journal does not list as completed, in order: each gets a `job_steps` row, and
 * once it completed the journal records it durably before the next starts. `offset` is the number of
 * steps before these (for "step N of M").
 */
export async function runSteps(run: WorkflowRun, steps: readonly WorkflowStep[], offset: number): Promise<void> {
  const hooks = run.options.hooks;
  for (const [i, step] of steps.entries()) {
    if (run.journal.completed.includes(step.name)) continue;
    const n = offset + i + 1;
    run.currentStep = step;
    await run.checkCancelled();
    run.ctx.signal.throwIfAborted();
    await hooks.beforeStep?.(run.subject.kind, step.name);
    const ref = {
      jobId: run.trackingJobId,
      stepId: await startStep(run.db, run.trackingJobId, step.name, run.now()),
      name: step.name,
    };
    await run.persist('running', `step ${n} of ${run.totalSteps}: ${step.title}`);
    let message: string;
    try {
      message = await step.run(run);
    } catch (e) {
      await finishStep(run.db, ref, { status: 'failed', message: coerceError(e).message }, run.now()).catch(
        () => undefined,
      );
      throw e;
    }
    await finishStep(run.db, ref, { status: 'completed', message }, run.now());
    run.journal.completed.push(step.name);
    await setTrackingProgress(run.db, run.trackingJobId, (n / run.totalSteps) * 100, run.now());
    await run.persist('running', `step ${n} of ${run.totalSteps} done: ${message}`);
    await hooks.afterStep?.(run.subject.kind, step.name);
  }
}
