/**
 * The two ways the reconciler makes nbd-server take changes, each followed by verification:
 * a SIGHUP to the verified parent (additions, ≥ 3.25 only — the caller decided) and an idle
 * restart (everything, any version). Both report per-export outcomes and what still waits.
 */
import type { DeferredChange } from './apply-strategy.js';
import type { NbdManagerContext } from './nbd-manager-context.js';
import type { NbdOutcome } from './nbd-outcome.js';
import type { NbdMemoryRecord } from './pending-store.js';
import { findNbdServer, type NbdServerProcess } from './server-process.js';
import { restartNbdServer } from './server-restart.js';
import { countSettledSessions } from './session-count.js';
import { verifyLiveExports } from './verify-live.js';

/** What one reload did. */
export interface ReloadReport {
  readonly ok: boolean;
  readonly reason: string;
  readonly outcomes: readonly NbdOutcome[];
  /** Changes that still wait (a failed HUP is retried next pass). */
  readonly deferred: readonly DeferredChange[];
  /** New memory record; undefined = keep the stored one. */
  readonly memory?: NbdMemoryRecord | null;
  /** True when the reload was called off before any signal (nothing changed on the server). */
  readonly notAttempted?: boolean;
  /**
   * True when the server did not come back or its listing does not match the config: another
   * restart with the same config would end the same way.
   */
  readonly diverged?: boolean;
}

/** Sends one coalesced SIGHUP for `add` and verifies; the caller checked the version is ≥ 3.25. */
export async function reloadWithHup(
  ctx: NbdManagerContext,
  server: NbdServerProcess,
  plan: {
    signatures: ReadonlyMap<string, string>;
    add: readonly string[];
    canary: string | null;
    memory: NbdMemoryRecord | null;
  },
): Promise<ReloadReport> {
  const again = await findNbdServer(ctx.pidFile);
  if (!again.running || again.server.pid !== server.pid || !again.server.hupHandlerInstalled) {
    const reason = `nbd-server changed before the SIGHUP (${again.running ? `pid ${again.server.pid}` : again.reason}); retried next pass`;
    return {
      ok: false,
      reason,
      outcomes: [],
      deferred: plan.add.map((exportName) => ({ exportName, change: 'add', reason })),
    };
  }
  ctx.signals.send(server.pid, 'SIGHUP');
  ctx.logger?.info({ pid: server.pid, exports: plan.add }, 'nbd-server reloaded with SIGHUP');
  const v = await verifyLiveExports({
    address: ctx.address,
    pidFile: ctx.pidFile,
    pid: server.pid,
    mustList: plan.add,
    probe: plan.add,
    canary: plan.canary,
    timeoutMs: ctx.timeoutMs,
  });
  if (!v.ok) {
    const reason = `SIGHUP did not converge: ${v.problems.join('; ')}`;
    return {
      ok: false,
      reason,
      outcomes: plan.add.map((exportName) => ({ status: 'failed', exportName, change: 'add', reason })),
      deferred: plan.add.map((exportName) => ({ exportName, change: 'add', reason })),
    };
  }
  const added = Object.fromEntries(plan.add.map((n) => [n, plan.signatures.get(n) ?? '']));
  return {
    ok: true,
    reason: `SIGHUP to nbd-server ${server.pid} added ${plan.add.join(', ')}`,
    outcomes: plan.add.map((exportName) => ({
      status: 'applied',
      exportName,
      change: 'add',
      reason: 'added by SIGHUP and connectable',
    })),
    deferred: [],
    memory: { pid: server.pid, exports: { ...(plan.memory?.exports ?? {}), ...added } },
  };
}

/** Restarts the idle server, then verifies the whole configured set. */
export async function restartAndVerify(
  ctx: NbdManagerContext,
  server: NbdServerProcess,
  plan: {
    signatures: ReadonlyMap<string, string>;
    add: readonly string[];
    update: readonly string[];
    remove: readonly string[];
    canary: string | null;
  },
): Promise<ReloadReport> {
  const changes = [
    ...plan.add.map((n) => ['add', n] as const),
    ...plan.update.map((n) => ['update', n] as const),
    ...plan.remove.map((n) => ['remove', n] as const),
  ];
  // Last look right before SIGTERM: a client that connected since the decision must not be dropped.
  const sessions = await countSettledSessions(server.pid).catch(() => null);
  if (sessions !== 0) {
    const reason = `restart called off: ${sessions === null ? 'live sessions could not be counted' : `${sessions} live session(s) appeared`}`;
    return {
      ok: false,
      notAttempted: true,
      reason,
      outcomes: changes.map(([change, exportName]) => ({ status: 'pending', exportName, change, reason })),
      deferred: changes.map(([change, exportName]) => ({ exportName, change, reason })),
    };
  }
  let next: NbdServerProcess;
  try {
    next = await restartNbdServer(server, {
      pidFile: ctx.pidFile,
      address: ctx.address,
      signals: ctx.signals,
      startCommand: ctx.startCommand,
      restartCommand: ctx.restartCommand,
      timeoutMs: ctx.timeoutMs,
    });
  } catch (e) {
    const reason = `restart of nbd-server ${server.pid} failed: ${(e as Error).message}`;
    ctx.logger?.error({ pid: server.pid, error: (e as Error).message }, 'nbd-server restart failed');
    return {
      ok: false,
      diverged: true,
      reason,
      outcomes: changes.map(([change, exportName]) => ({ status: 'failed', exportName, change, reason })),
      deferred: changes.map(([change, exportName]) => ({ exportName, change, reason })),
      memory: null,
    };
  }
  ctx.logger?.info({ oldPid: server.pid, pid: next.pid }, 'nbd-server restarted');
  const v = await verifyLiveExports({
    address: ctx.address,
    pidFile: ctx.pidFile,
    pid: next.pid,
    mustList: [...plan.signatures.keys()],
    mustNotList: plan.remove,
    probe: [...plan.add, ...plan.update],
    canary: plan.canary,
    timeoutMs: ctx.timeoutMs,
  });
  const outcomes = changes.map(([change, exportName]): NbdOutcome => {
    const problem = v.failed.get(exportName);
    return problem === undefined
      ? {
          status: 'applied',
          exportName,
          change,
          reason:
            change === 'remove'
              ? 'dropped from memory by an idle restart'
              : 'applied by an idle restart and connectable',
        }
      : { status: 'failed', exportName, change, reason: `after an idle restart: ${problem}` };
  });
  return {
    ok: v.ok,
    diverged:
      v.listed === null ||
      [...v.failed.values()].some((r) => r.includes('listed')) ||
      v.problems.some((p) => p.includes('no longer the running parent')),
    reason: v.ok
      ? `idle restart of nbd-server (pid ${server.pid} → ${next.pid}) applied ${changes.length} change(s)`
      : `restarted (pid ${next.pid}) but: ${v.problems.join('; ')}`,
    outcomes,
    deferred: [],
    memory: { pid: next.pid, exports: Object.fromEntries(plan.signatures) },
  };
}
