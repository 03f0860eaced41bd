/** Marks an object as carrying a pending job (`jobid`/`jobstatus` in its API view) while the job runs. */
export function pendingOn(record: { pendingJobId: string | null }): {
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
