/**
 * Verification after a reload or restart, trusting no log line (`nbd-server.md` §7): the parent
 * is still alive, the listing shows what it must (and not what it must not), every new export
 * passes a full `NBD_OPT_GO`, and a canary on a pre-existing export still connects — which also
 * catches 3.24's "listed, but every connection resets" heap corruption.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { listNbdExports, probeNbdExport } from './nbd-client.js';
import { findNbdServer, type NbdServerAt } from './server-process.js';

/** What to check. */
export interface VerifyLiveOptions extends NbdServerAt {
  /** The parent PID that must still be (or now be) running. */
  readonly pid: number;
  readonly mustList: readonly string[];
  readonly mustNotList?: readonly string[];
  /** Exports that must pass `NBD_OPT_GO`. */
  readonly probe: readonly string[];
  /** A pre-existing export that must still connect, or null. */
  readonly canary: string | null;
  /** How long the listing may take to converge, ms. Default 5000. */
  readonly timeoutMs?: number;
}

/** Result of {@link verifyLiveExports}. */
export interface LiveVerification {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly listed: readonly string[] | null;
  /** Exports (probed or expected in the listing) that failed, with the reason. */
  readonly failed: ReadonlyMap<string, string>;
}

/** Checks the running server against expectations; never throws. */
export async function verifyLiveExports(options: VerifyLiveOptions): Promise<LiveVerification> {
  const problems: string[] = [];
  const failed = new Map<string, string>();
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  let listed: string[] | null = null;
  let converged = false;
  while (!converged) {
    try {
      listed = await listNbdExports(options.address, { timeoutMs: 2_000 });
      const names = new Set(listed);
      converged = options.mustList.every((n) => names.has(n)) && !(options.mustNotList ?? []).some((n) => names.has(n));
    } catch (e) {
      listed = null;
      if (Date.now() > deadline) problems.push(`listing failed: ${(e as Error).message}`);
    }
    if (converged || Date.now() > deadline) break;
    await delay(50);
  }
  if (listed !== null && !converged) {
    const names = new Set(listed);
    const missing = options.mustList.filter((n) => !names.has(n));
    const stale = (options.mustNotList ?? []).filter((n) => names.has(n));
    if (missing.length > 0) problems.push(`not listed: ${missing.join(', ')}`);
    if (stale.length > 0) problems.push(`still listed: ${stale.join(', ')}`);
    for (const n of missing) failed.set(n, 'not listed by nbd-server');
    for (const n of stale) failed.set(n, 'still listed by nbd-server');
  }
  const found = await findNbdServer(options.pidFile, options);
  if (!found.running || found.server.pid !== options.pid) {
    problems.push(
      `nbd-server ${options.pid} is no longer the running parent (${found.running ? `now ${found.server.pid}` : found.reason})`,
    );
  }
  for (const name of options.probe) {
    const result = await probeNbdExport(options.address, name, { timeoutMs: 5_000 });
    if (!result.ok) {
      problems.push(`${name} is not connectable: ${result.reason}`);
      failed.set(name, `not connectable: ${result.reason}`);
    }
  }
  if (options.canary !== null) {
    const result = await probeNbdExport(options.address, options.canary, { timeoutMs: 5_000 });
    if (!result.ok) problems.push(`canary ${options.canary} no longer connects: ${result.reason}`);
  }
  return { ok: problems.length === 0, problems, listed, failed };
}
