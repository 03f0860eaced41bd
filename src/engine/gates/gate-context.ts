/**
 * Everything the gates need besides the world: the mode in force, leadership, grace, budget and
 * sanity settings, the recent destructive-action counts, and each reconciler's sources. Plain data,
 * built once per pass by the engine (see `gateContextFromConfig`).
 */
import type { Config, Mode } from '../../config/config-schema.js';
import type { DriftKind, SourceName } from '../../world/drift-kinds.js';
import type { Policy } from '../../reconcile/types.js';

/** Inputs of `applyGates` other than the drift and the world. */
export interface GateContext {
  readonly now: Date;
  /** Policy the reconcilers ran with (the in-flight gate judges liveness with the same thresholds). */
  readonly policy: Policy;
  /** Configured mode. */
  readonly mode: Mode;
  /** Per-kind overrides of `mode` (config file). */
  readonly modeByKind: Readonly<Partial<Record<DriftKind, Mode>>>;
  /**
   * Safety ceiling after a trip (budget → `dry-run`, sanity → `observe`) until an operator resets
   * it; no per-kind override can exceed it. Null when none.
   */
  readonly modeCeiling: Mode | null;
  readonly isLeader: boolean;
  readonly grace: {
    /** `config.graceSeconds`: per-kind minimum age, seconds (missing kinds use the defaults). */
    readonly byKind: Readonly<Partial<Record<DriftKind, number>>>;
    /** `--grace-seconds N`: replaces every kind's grace for this run; null when not given. */
    readonly override: number | null;
  };
  readonly budget: {
    /** Destructive actions allowed in one pass, all kinds together. */
    readonly destructivePerPass: number;
    /** Destructive actions allowed per kind in any hour. */
    readonly destructivePerHourPerKind: number;
    /** Destructive actions of each kind that ran in the last hour (from the audit log). */
    readonly recentByKind: Readonly<Partial<Record<DriftKind, number>>>;
  };
  readonly sanity: {
    /** An inventory below this fraction of the last good pass trips the sanity gate. */
    readonly minInventoryRatio: number;
    /** Baselines smaller than this are never judged by the ratio. */
    readonly minInventoryForRatio: number;
    /** More than this share of one table's rows rewritten by non-destructive actions in one pass is held. */
    readonly maxRewriteShare: number;
    /** Fewer rewrites than this are never judged by the share. */
    readonly minRewritesForShare: number;
  };
  /** The sources each reconciler needs (`needsByKind()` of the registry). */
  readonly needs: Readonly<Record<DriftKind, readonly SourceName[]>>;
}

/** Per-pass facts `gateContextFromConfig` cannot know. */
export interface GatePassInputs {
  readonly now: Date;
  readonly policy: Policy;
  readonly isLeader: boolean;
  readonly needs: Readonly<Record<DriftKind, readonly SourceName[]>>;
  readonly recentByKind?: Readonly<Partial<Record<DriftKind, number>>>;
  readonly modeCeiling?: Mode | null;
  readonly graceOverride?: number | null;
  /** Replaces `config.mode` (e.g. `apply --dry-run`). */
  readonly mode?: Mode;
}

/** Builds the gate context from the configuration and the pass's own facts. */
export function gateContextFromConfig(config: Config, pass: GatePassInputs): GateContext {
  return {
    now: pass.now,
    policy: pass.policy,
    mode: pass.mode ?? config.mode,
    modeByKind: config.modeByKind,
    modeCeiling: pass.modeCeiling ?? null,
    isLeader: pass.isLeader,
    grace: { byKind: config.graceSeconds, override: pass.graceOverride ?? null },
    budget: {
      destructivePerPass: config.budget.destructivePerPass,
      destructivePerHourPerKind: config.budget.destructivePerHourPerKind,
      recentByKind: pass.recentByKind ?? {},
    },
    sanity: {
      minInventoryRatio: config.sanity.minInventoryRatio,
      minInventoryForRatio: config.sanity.minInventoryForRatio,
      maxRewriteShare: config.sanity.maxRewriteShare,
      minRewritesForShare: config.sanity.minRewritesForShare,
    },
    needs: pass.needs,
  };
}
