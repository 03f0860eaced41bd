/** Polls `queryAsyncJobResult` with growing intervals until a job finishes, fails or times out. */
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudStackJobFailedError, CloudStackTimeoutError } from './errors.js';
import type { CsAsyncJob, PollOptions } from './types.js';

export interface WaitForJobOptions {
  /** The command that queued the job (named in errors). */
  readonly command: string;
  readonly jobId: string;
  /** Overall limit for this operation, ms. */
  readonly timeoutMs: number;
  readonly poll: PollOptions;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Resolves with the finished job (`status` 1). Throws {@link CloudStackJobFailedError} on
 * `jobstatus=2` and {@link CloudStackTimeoutError} (phase `job`) when `timeoutMs` passes first.
 */
export async function waitForJob(
  query: (jobId: string) => Promise<CsAsyncJob>,
  o: WaitForJobOptions,
): Promise<CsAsyncJob> {
  const deadline = performance.now() + o.timeoutMs;
  let interval = o.poll.initialMs;
  for (;;) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw new CloudStackTimeoutError(o.command, 'job', o.timeoutMs, o.jobId);
    // A timer counts from libuv's cached loop time and can fire early by however long the current
    // loop turn has run; a poll sent early finds a job that is about to finish still pending and
    // costs a whole further interval. So sleep until the wall clock says the interval is over.
    const due = performance.now() + Math.min(interval, remaining);
    for (let left = due - performance.now(); left > 0; left = due - performance.now()) {
      await sleep(left, undefined, o.signal ? { signal: o.signal } : {});
    }
    const job = await query(o.jobId);
    if (job.status === 1) return job;
    if (job.status === 2) {
      throw new CloudStackJobFailedError(
        o.command,
        o.jobId,
        job.error?.errorcode ?? 530,
        job.error?.errortext ?? 'job failed',
      );
    }
    interval = Math.min(o.poll.maxMs, interval * o.poll.factor);
  }
}
