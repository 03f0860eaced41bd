/**
 * A snapshot revert is journalled before it is sent and again with its job id before the wait
 * (issue 15, 6.4): a kill between submission and outcome, or an answer lost on its way back (a
 * proxy's 504 after CloudStack queued the job), then never leads to a second revert. On resume a
 * submitted revert is looked for — by its job id, or among CloudStack's async jobs when the id never
 * arrived — and re-sent only when no trace of it exists.
 */
import { z } from 'zod';
import type { CloudStackClient } from '../../cloudstack/cloudstack-client.js';
import { CloudStackJobFailedError } from '../../cloudstack/errors.js';
import type { CsAsyncJob } from '../../cloudstack/types.js';
import { completeItems } from '../../cloudstack/find-objects.js';

/** Journal key and shape: volume id → the revert sent for it (job id null until CloudStack answered). */
export const REVERT_SUBMITTED_KEY = 'revertSubmitted';
export const revertSubmittedSchema = z.record(
  z.string(),
  z.strictObject({ snapshotId: z.string(), jobId: z.string().nullable() }),
);
export type RevertSubmitted = z.infer<typeof revertSubmittedSchema>;

/** What became of a revert submitted earlier. */
export type PriorRevert =
  | { readonly outcome: 'done'; readonly jobId: string }
  /** Its job failed, which changed nothing: sending it again is safe (and the run stopped for an operator then). */
  | { readonly outcome: 'failed'; readonly jobId: string; readonly message: string }
  /** No job of it exists: it never reached CloudStack, so sending it is safe. */
  | { readonly outcome: 'not-sent' };

const isRevertOf =
  (snapshotId: string) =>
  (j: CsAsyncJob): boolean =>
    j.instanceId === snapshotId && (j.cmd ?? '').endsWith('RevertSnapshotCmd');

/** Looks for a revert journalled earlier and waits for it when it is still running. */
export async function priorRevert(
  cs: CloudStackClient,
  sent: RevertSubmitted[string],
  signal: AbortSignal,
): Promise<PriorRevert> {
  let jobId = sent.jobId;
  if (jobId === null) {
    // The answer never arrived: CloudStack's job list says whether the request did.
    const jobs = completeItems(await cs.listAsyncJobs({ signal }), 'async jobs').filter(isRevertOf(sent.snapshotId));
    const latest = jobs.sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '')).at(-1);
    if (latest === undefined) return { outcome: 'not-sent' };
    jobId = latest.jobId;
  }
  try {
    await cs.waitForAsyncJob('revertSnapshot', jobId, { signal });
    return { outcome: 'done', jobId };
  } catch (e) {
    if (e instanceof CloudStackJobFailedError) return { outcome: 'failed', jobId, message: e.message };
    throw e;
  }
}
