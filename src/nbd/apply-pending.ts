/**
 * One reconcile pass against the running nbd-server: compute what it lacks (configured but not in
 * memory), holds too much of (in memory but removed) or holds stale (path changed), choose the
 * strategy (`apply-strategy.ts`), perform at most one coalesced reload — a SIGHUP on ≥ 3.25 for
 * additions, or an idle restart — verify it, and persist what still waits, with its reason.
 *
 * The change set is computed from the main config the server itself reads (its `-C` argument),
 * so a base-config path that differs from the running server's never causes phantom restarts; and
 * a restart that did not converge is not repeated until the config changes.
 */
import { createHash } from 'node:crypto';
import { removeFileDurably } from './atomic-write.js';
import { authfilePath } from './authfile.js';
import { chooseApplyStrategy, type ApplyStrategyDecision, type DeferredChange } from './apply-strategy.js';
import { probeNbdExport } from './nbd-client.js';
import { viewServer, type NbdManagerContext } from './nbd-manager-context.js';
import type { ApplyPendingResult, NbdOutcome } from './nbd-outcome.js';
import { readNbdConfig, type NbdConfigSnapshot } from './read-nbd-config.js';
import { reloadWithHup, restartAndVerify, type ReloadReport } from './reload-actions.js';
import { exportSignature } from './pending-store.js';
import { configFileOf } from './server-process.js';
import { countSettledSessions } from './session-count.js';

/** Options of one pass. */
export interface ApplyPendingOptions {
  /** May this pass restart nbd-server (only ever when it has no live sessions)? Default false. */
  readonly allowRestart?: boolean;
}

function configuredSignatures(snap: NbdConfigSnapshot): Map<string, string> {
  const signatures = new Map<string, string>();
  // The first definition wins, as in nbd-server's lookup order.
  for (const e of snap.exports) {
    if (!signatures.has(e.name)) {
      signatures.set(e.name, exportSignature(e.exportname, e.values.get('readonly') === true));
    }
  }
  return signatures;
}

/** Identity of the whole config as read (all files, all bytes). */
export function configHash(snap: NbdConfigSnapshot): string {
  const hash = createHash('sha256');
  for (const [path, text] of [...snap.texts].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${path}\0${text}\0`);
  return hash.digest('hex');
}

function configProblemOf(snap: NbdConfigSnapshot): string | null {
  if (snap.readError !== null) return snap.readError;
  return snap.parseErrors.length > 0 ? snap.parseErrors.map((p) => `${p.file}: ${p.error}`).join('; ') : null;
}

/** Picks a pre-existing export that connects right now, to re-check after the reload. */
async function pickCanary(ctx: NbdManagerContext, candidates: readonly string[]): Promise<string | null> {
  for (const name of candidates.slice(0, 3)) {
    if ((await probeNbdExport(ctx.address, name, { timeoutMs: 5_000 })).ok) return name;
  }
  return null;
}

function deferAll(
  changes: { add: string[]; remove: string[]; update: string[] },
  reason: string,
): ApplyStrategyDecision {
  const all = [
    ...changes.add.map((n) => ['add', n] as const),
    ...changes.remove.map((n) => ['remove', n] as const),
    ...changes.update.map((n) => ['update', n] as const),
  ];
  return { hup: [], restart: false, deferred: all.map(([change, exportName]) => ({ exportName, change, reason })) };
}

const pendingOutcomes = (deferred: readonly DeferredChange[]): NbdOutcome[] =>
  deferred.map((d) => ({ status: 'pending', exportName: d.exportName, change: d.change, reason: d.reason }));

/** Runs one pass; see the module comment. Never throws for server problems: they are outcomes. */
export async function applyPendingChanges(
  ctx: NbdManagerContext,
  options: ApplyPendingOptions = {},
): Promise<ApplyPendingResult> {
  const view = await viewServer(ctx);
  const base = { version: null, sessions: null, outcomes: [] } as const;
  if (!view.found.running) {
    return { ...base, action: 'refused', reason: `nbd-server is not running: ${view.found.reason}` };
  }
  if (view.live === null) return { ...base, action: 'refused', reason: view.listError ?? 'cannot list exports' };
  const server = view.found.server;
  const snap = await readNbdConfig({ baseConfig: configFileOf(server.argv), confDir: ctx.confDir });
  const signatures = configuredSignatures(snap);
  const live = new Set(view.live);
  const state = await ctx.pending.read();
  const changes = {
    add: [...signatures.keys()].filter((n) => !live.has(n)),
    remove: [...live].filter((n) => !signatures.has(n)),
    update: [...signatures]
      .filter(([n, signature]) => {
        if (!live.has(n)) return false;
        const applied = view.memory?.exports[n];
        if (applied !== undefined) return applied !== signature;
        return state.changes.some((c) => c.exportName === n && c.change === 'update');
      })
      .map(([n]) => n),
  };
  const version = await ctx.versions.versionOf(server.exe ?? server.argv[0] ?? 'nbd-server');
  const sessions = await countSettledSessions(server.pid).catch(() => null);
  const hash = configHash(snap);
  const configProblem = configProblemOf(snap);
  let decision: ApplyStrategyDecision;
  if (configProblem !== null) {
    // A HUP would add nothing (the re-read is all-or-nothing) and a restart would not come back.
    decision = deferAll(
      changes,
      `the nbd-server config has errors, so no reload or restart is attempted (${configProblem})`,
    );
  } else {
    const repeat = state.failedRestart?.configHash === hash ? state.failedRestart : null;
    decision = chooseApplyStrategy({
      version,
      sessions,
      changes,
      allowRestart: options.allowRestart === true && repeat === null,
      hupHandlerInstalled: server.hupHandlerInstalled,
    });
    if (repeat !== null && decision.deferred.length > 0) {
      const reason = `the last restart with this same config did not converge (${repeat.reason}); not restarting again until the config changes`;
      decision = { ...decision, deferred: decision.deferred.map((d) => ({ ...d, reason })) };
    }
  }
  const now = ctx.clock();
  const result = { version, sessions };
  if (decision.restart) {
    const canary = await pickCanary(
      ctx,
      [...signatures.keys()].filter((n) => live.has(n) && !changes.update.includes(n)),
    );
    const report = await restartAndVerify(ctx, server, { signatures, ...changes, canary });
    const failedRestart =
      report.diverged === true ? { configHash: hash, reason: report.reason, at: now.toISOString() } : null;
    await ctx.pending.setChanges('all', report.deferred, now, { memory: report.memory ?? null, failedRestart });
    if (report.ok) {
      for (const name of changes.remove) await removeFileDurably(authfilePath(ctx.stateDir, name)).catch(() => false);
    }
    const action = report.ok ? 'restart' : report.notAttempted === true ? 'deferred' : 'failed';
    return { ...result, action, reason: report.reason, outcomes: report.outcomes };
  }
  let hupReport: ReloadReport | null = null;
  if (decision.hup.length > 0) {
    const canary = await pickCanary(
      ctx,
      [...signatures.keys()].filter((n) => live.has(n)),
    );
    hupReport = await reloadWithHup(ctx, server, { signatures, add: decision.hup, canary, memory: view.memory });
  }
  const deferred = [...decision.deferred, ...(hupReport?.deferred ?? [])];
  await ctx.pending.setChanges(
    'all',
    deferred,
    now,
    hupReport?.memory === undefined ? {} : { memory: hupReport.memory },
  );
  const outcomes = [...(hupReport?.outcomes ?? []), ...pendingOutcomes(decision.deferred)];
  if (hupReport) return { ...result, action: hupReport.ok ? 'hup' : 'failed', reason: hupReport.reason, outcomes };
  if (deferred.length > 0) {
    return {
      ...result,
      action: 'deferred',
      reason: `${deferred.length} change(s) wait: ${deferred[0]?.reason ?? ''}`,
      outcomes,
    };
  }
  return { ...result, action: 'none', reason: 'nbd-server already serves the configured exports', outcomes };
}
