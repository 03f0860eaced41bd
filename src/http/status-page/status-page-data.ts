import type { Mode } from '../../config/config-schema.js';
import type { PlanJson } from '../../reconcile/types.js';
import type { SourceName } from '../../world/drift-kinds.js';

/** A VM whose failover or rollback is stuck or failed: "Needs you" shows it with a Cleanup button. */
export interface FailedOperation {
  readonly vmName: string;
  readonly contextId: string;
  readonly failoverJobId: string;
  /** e.g. `unified-test-failover`. */
  readonly operation: string;
  readonly stuckSince: string | null;
  readonly reason: string;
  /** The steps the cleanup workflow will run for this VM (from the plan, not a fixed list). */
  readonly steps: readonly string[];
  /** A cleanup already requested/running, if any. */
  readonly cleanup: { readonly status: string; readonly jobId: string } | null;
}

/** A CloudStack object a reconciler would act on but the `ownership` gate holds: Adopt. */
export interface OwnershipBlocked {
  readonly type: 'volume' | 'snapshot' | 'vm';
  readonly id: string;
  readonly name: string | null;
  readonly kind: string;
  readonly detail: string;
}

/** A quarantined volume and when the reconciler will delete it. */
export interface ScheduledDeletion {
  readonly volumeId: string;
  readonly name: string;
  readonly quarantinedAt: string;
  /** Quarantine time + TTL; null when the tag is not a time. */
  readonly deleteAt: string | null;
  /** The `quarantine-volume` action `undo` (Keep) reverses; null when none is recorded as reversible. */
  readonly keepActionId: string | null;
}

/** One recent audited action. */
export interface RecentAction {
  readonly id: string;
  readonly at: string;
  readonly kind: string;
  readonly action: string;
  readonly subject: string;
  readonly outcome: string;
  readonly error: string | null;
  readonly actor: string;
  /** True when `undo` can still reverse it. */
  readonly undoable: boolean;
}

/** The health line. */
export interface Health {
  readonly mode: Mode;
  readonly leader: boolean;
  /** Every source with its state and the time it was last read completely (null = not yet). */
  readonly sources: Readonly<
    Record<SourceName, { readonly complete: boolean; readonly error?: string; readonly lastCompleteAt: string | null }>
  >;
  readonly lastPass: { readonly finishedAt: string; readonly durationSeconds: number; readonly result: string } | null;
  /** Safety rails tripped in the last pass (`budget`, `sanity`), and a mode ceiling a budget trip left. */
  readonly trips: readonly string[];
  readonly modeCeiling: string | null;
  /** False when no API token is configured: every button that changes something is disabled. */
  readonly mutationsEnabled: boolean;
}

/** A VM context row of the (searchable, paged) list. */
export interface ContextRowView {
  readonly contextId: string;
  readonly vmName: string;
  readonly status: string;
  readonly currentJobId: string | null;
}

/** Everything the status page renders; assembled by the daemon from its last pass and the database. */
export interface StatusPageData {
  readonly health: Health;
  readonly plan: PlanJson | null;
  readonly needsYou: {
    readonly failedOperations: readonly FailedOperation[];
    readonly ownershipBlocked: readonly OwnershipBlocked[];
    readonly cleanupRequired: readonly {
      readonly contextId: string;
      readonly vmName: string;
      readonly reason: string;
    }[];
    readonly paused: readonly { readonly type: string; readonly id: string; readonly name: string }[];
  };
  readonly scheduledDeletions: readonly ScheduledDeletion[];
  readonly recentActions: readonly RecentAction[];
  readonly contexts: {
    readonly query: string;
    readonly page: number;
    readonly pageSize: number;
    /** Contexts matching the query (before paging). */
    readonly total: number;
    readonly rows: readonly ContextRowView[];
  };
}
