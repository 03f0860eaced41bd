/**
 * How to make the running nbd-server take a change set — a pure function of (version, sessions,
 * changes, permission), so the ≥ 3.25 path is testable without a 3.25 binary.
 *
 * - SIGHUP only ever *adds* exports, and only on ≥ 3.25 (3.20–3.24 corrupt their heap on a HUP).
 * - Removals and updates on every version, and additions on ≤ 3.24, need a restart; a restart
 *   drops every live session, so it happens only when the server has none and restarts are allowed.
 * - A HUP before the server installed its handler would kill it: additions then wait.
 */
import { supportsSafeHup } from './server-version.js';

/** Export names per kind of change the server has not taken yet. */
export interface NbdChangeSet {
  readonly add: readonly string[];
  readonly remove: readonly string[];
  readonly update: readonly string[];
}

/** Inputs of the decision. */
export interface ApplyStrategyInput {
  /** `3.24`, `3.26.1`…; null when unknown (treated as unsafe for SIGHUP). */
  readonly version: string | null;
  /** Live client sessions; null when they could not be counted (treated as busy). */
  readonly sessions: number | null;
  readonly changes: NbdChangeSet;
  /** Whether this pass may restart nbd-server at all. */
  readonly allowRestart: boolean;
  /** SigCgt bit 0 of the parent. Default true. */
  readonly hupHandlerInstalled?: boolean;
}

/** One change left for later, with the reason `explain` shows. */
export interface DeferredChange {
  readonly exportName: string;
  readonly change: 'add' | 'remove' | 'update';
  readonly reason: string;
}

/** What to do now. */
export interface ApplyStrategyDecision {
  /** Additions one coalesced SIGHUP applies now (≥ 3.25 only). */
  readonly hup: readonly string[];
  /** True when one idle restart applies the whole change set now. */
  readonly restart: boolean;
  readonly deferred: readonly DeferredChange[];
}

function restartBlocker(input: ApplyStrategyInput): string | null {
  if (!input.allowRestart) return 'restarts are not allowed in this pass';
  if (input.sessions === null) return 'live sessions could not be counted';
  if (input.sessions > 0) return `${input.sessions} live session(s) would be dropped by a restart`;
  return null;
}

/** Chooses HUP, idle restart or deferral for a change set. Never a HUP to ≤ 3.24. */
export function chooseApplyStrategy(input: ApplyStrategyInput): ApplyStrategyDecision {
  const { add, remove, update } = input.changes;
  if (add.length + remove.length + update.length === 0) return { hup: [], restart: false, deferred: [] };
  const hupSafe = supportsSafeHup(input.version);
  const needsRestart = remove.length > 0 || update.length > 0 || (add.length > 0 && !hupSafe);
  const blocker = needsRestart ? restartBlocker(input) : null;
  if (needsRestart && blocker === null) return { hup: [], restart: true, deferred: [] };

  const deferred: DeferredChange[] = [];
  const wait = `waiting for an idle restart: ${blocker ?? ''}`;
  for (const exportName of remove) {
    deferred.push({
      exportName,
      change: 'remove',
      reason: `removed from the config; nbd-server keeps it in memory until a restart (${wait})`,
    });
  }
  for (const exportName of update) {
    deferred.push({
      exportName,
      change: 'update',
      reason: `changed in the config; nbd-server keeps the old settings until a restart (${wait})`,
    });
  }
  let hup: readonly string[] = [];
  if (add.length > 0 && !hupSafe) {
    const why =
      input.version === null
        ? 'the nbd-server version is unknown, so SIGHUP is not used'
        : `nbd-server ${input.version} corrupts its heap on SIGHUP (fixed in 3.25), so additions need a restart`;
    for (const exportName of add) deferred.push({ exportName, change: 'add', reason: `${why} (${wait})` });
  } else if (add.length > 0 && input.hupHandlerInstalled === false) {
    for (const exportName of add) {
      deferred.push({
        exportName,
        change: 'add',
        reason: 'nbd-server is still starting (SIGHUP handler not installed); a HUP now would kill it',
      });
    }
  } else {
    hup = add;
  }
  return { hup, restart: false, deferred };
}
