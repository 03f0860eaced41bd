/**
 * One reconcile pass against the running nbd-server: compute what it lacks (configured but not in
 * memory), holds too much of (in memory but removed) or holds stale (path changed), choose the
 * strategy (`apply-strategy.ts`), perform at most one coalesced reload — a SIGHUP on ≥ 3.25 for
 * additions, or an idle restart — verify it, and persist what still waits, with its reason.
 */
import { removeFileDurably } from './atomic-write.js';
import { authfilePath } from './authfile.js';
import { chooseApplyStrategy, type ApplyStrategyDecision, type DeferredChange } from './apply-strategy.js';
import { probeNbdExport } from './nbd-client.js';
import { viewServer, type NbdManagerContext } from './nbd-manager-context.js';
import type { ApplyPendingResult, NbdOutcome } from './nbd-outcome.js';
import type { NbdConfigSnapshot } from './read-nbd-config.js';
import { readNbdConfig } from './read-nbd-config.js';
import { reloadWithHup, restartAndVerify, type ReloadReport } from './reload-actions.js';
import { countSettledSessions } from './session-count.js';

/** Options of one pass. */
export interface ApplyPendingOptions {
  /** May this pass restart nbd-server (only ever when it has no live sessions)? Default false. */
  readonly allowRestart?: boolean;
}

function configuredPaths(snap: NbdConfigSnapshot): Map<string, string> {
  const paths = new Map<string, string>();
  // The first definition wins, as in nbd-server's lookup order.
  for (const e of snap.exports) if (!paths.has(e.name)) paths.set(e.name, e.exportname);
  return paths;
}

/** Picks a pre-existing export that connects right now, to re-check after the reload. */
async function pickCanary(ctx: NbdManagerContext, candidates: readonly string[]): Promise<string | null> {
  for (const name of candidates.slice(0, 3)) {
    if ((await probeNbdExport(ctx.address, name, { timeoutMs: 5_000 })).ok) return name;
  }
  return null;
}

function deferredOutcomes(deferred: readonly DeferredChange[]): NbdOutcome[] {
  return deferred.map((d) => ({ status: 'pending', exportName: d.exportName, change: d.change, reason: d.reason }));
}

/** Runs one pass; see the module comment. Never throws for server problems: they are outcomes. */
export async function applyPendingChanges(ctx: NbdManagerContext, options: ApplyPendingOptions = {}): Promise<ApplyPendingResult> {
  const snap = await readNbdConfig(ctx);
  const view = await viewServer(ctx);
  const base = { version: null, sessions: null, outcomes: [] } as const;
  if (!view.found.running) return { ...base, action: 'refused', reason: `nbd-server is not running: ${view.found.reason}` };
  if (view.live === null) return { ...base, action: 'refused', reason: view.listError ?? 'cannot list exports' };
  const server = view.found.server;
  const paths = configuredPaths(snap);
  const live = new Set(view.live);
  const state = await ctx.pending.read();
  const add = [...paths.keys()].filter((n) => !live.has(n));
  const remove = [...live].filter((n) => !paths.has(n));
  const update = [...paths].filter(([n, path]) => {
    if (!live.has(n)) return false;
    const applied = view.memory?.exports[n];
    if (applied !== undefined) return applied !== path;
    return state.changes.some((c) => c.exportName === n && c.change === 'update');
  }).map(([n]) => n);

  const version = await ctx.versions.versionOf(server.exe ?? server.argv[0] ?? 'nbd-server');
  const sessions = await countSettledSessions(server.pid).catch(() => null);
  const configProblem = snap.readError ?? (snap.parseErrors.length > 0 ? snap.parseErrors.map((p) => `${p.file}: ${p.error}`).join('; ') : null);
  let decision: ApplyStrategyDecision;
  if (configProblem === null) {
    decision = chooseApplyStrategy({
      version, sessions, changes: { add, remove, update },
      allowRestart: options.allowRestart === true,
      hupHandlerInstalled: server.hupHandlerInstalled,
    });
  } else {
    // A HUP would add nothing (all-or-nothing re-read) and a restart would not come back up.
    const reason = `the nbd-server config has errors, so no reload or restart is attempted (${configProblem})`;
    const all = [...add.map((n) => ['add', n] as const), ...remove.map((n) => ['remove', n] as const), ...update.map((n) => ['update', n] as const)];
    decision = { hup: [], restart: false, deferred: all.map(([change, exportName]) => ({ exportName, change, reason })) };
  }
  const now = ctx.clock();
  const result = { version, sessions };
  if (decision.restart) {
    const canary = await pickCanary(ctx, [...paths.keys()].filter((n) => live.has(n) && !update.includes(n)));
    const report = await restartAndVerify(ctx, server, { paths, add, update, remove, canary });
    await ctx.pending.setChanges('all', report.deferred, now, report.memory);
    for (const name of remove) if (report.ok) await removeFileDurably(authfilePath(ctx.stateDir, name)).catch(() => false);
    return { ...result, action: report.ok ? 'restart' : 'failed', reason: report.reason, outcomes: report.outcomes };
  }
  let hupReport: ReloadReport | null = null;
  if (decision.hup.length > 0) {
    const canary = await pickCanary(ctx, [...paths.keys()].filter((n) => live.has(n)));
    hupReport = await reloadWithHup(ctx, server, { paths, add: decision.hup, canary, memory: view.memory });
  }
  const deferred = [...decision.deferred, ...(hupReport?.deferred ?? [])];
  await ctx.pending.setChanges('all', deferred, now, hupReport?.memory);
  const outcomes = [...(hupReport?.outcomes ?? []), ...deferredOutcomes(decision.deferred)];
  if (hupReport) return { ...result, action: hupReport.ok ? 'hup' : 'failed', reason: hupReport.reason, outcomes };
  if (deferred.length > 0) {
    return { ...result, action: 'deferred', reason: `${deferred.length} change(s) wait: ${deferred[0]?.reason ?? ''}`, outcomes };
  }
  return { ...result, action: 'none', reason: 'nbd-server already serves the configured exports', outcomes };
}
