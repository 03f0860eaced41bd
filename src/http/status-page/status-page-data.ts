import type { Mode } from '../../config/config-schema.js';
import type { PlanJson } from '../../reconcile/types.js';
import type { SourceName } from '../../world/drift-kinds.js';

/** A VM whose failover or rollback is stuck or failed: the page shows a banner and a Cleanup button. */
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

/** Everything the status page renders; assembled by the daemon from its last plan and the database. */
export interface StatusPageData {
  readonly generatedAt: string;
  readonly mode: Mode;
  readonly leader: boolean;
  readonly sources: Readonly<Record<SourceName, { readonly complete: boolean; readonly error?: string }>>;
  readonly contexts: readonly { readonly contextId: string; readonly vmName: string; readonly status: string; readonly currentJobId: string | null }[];
  readonly plan: PlanJson | null;
  readonly failedOperations: readonly FailedOperation[];
  readonly recentActions: readonly {
    readonly id: string;
    readonly at: string;
    readonly kind: string;
    readonly action: string;
    readonly subject: string;
    readonly outcome: string;
    readonly error: string | null;
  }[];
}
