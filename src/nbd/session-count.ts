/**
 * Counting live sessions for the restart decision. Every connection — including our own listing
 * and probe connections of a moment ago — is a forked child until it exits, so a non-zero count is
 * re-read for a short while: our probes' children go away, real client sessions stay.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { countNbdSessions, type ProcOptions } from './server-process.js';

/** Options of {@link countSettledSessions}. */
export interface SettleOptions extends ProcOptions {
  /** How long a non-zero count may take to drop, ms. Default 1500. */
  readonly settleMs?: number;
  /** Re-count interval, ms. Default 50. */
  readonly pollMs?: number;
}

/** Live sessions of `parentPid` after transient negotiation children had time to exit. */
export async function countSettledSessions(parentPid: number, options: SettleOptions = {}): Promise<number> {
  const deadline = Date.now() + (options.settleMs ?? 1_500);
  let count = await countNbdSessions(parentPid, options);
  while (count > 0 && Date.now() < deadline) {
    await delay(options.pollMs ?? 50);
    count = await countNbdSessions(parentPid, options);
  }
  return count;
}
