import type { SimOutcome } from '../sim-context.js';

/** Marks an object as carrying a pending job (`jobid`/`jobstatus` in its API view) while the job runs. */
function pendingOn(record: { pendingJobId: string | null }): {
  readonly onSubmit: (jobId: string) => void;
  readonly settle: () => void;
} {
  return {
    onSubmit: (jobId) => {
      record.pendingJobId = jobId;
    },
    settle: () => {
      record.pendingJobId = null;
    },
  };
}

/**
 * A job command's outcome on one object (`jobinstancetype`/`jobinstanceid`): the object, when it
 * exists, carries the job as pending while it runs; `createdId` is the id a create answers at once.
 */
export function jobOn(
  instanceType: string,
  instanceId: string | null,
  record: { pendingJobId: string | null } | undefined,
  run: () => Record<string, unknown>,
  createdId?: string,
): SimOutcome {
  return {
    kind: 'job',
    ...(createdId !== undefined ? { createdId } : {}),
    spec: { instanceType, instanceId, ...(record ? pendingOn(record) : {}), run },
  };
}
