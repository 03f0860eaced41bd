/**
 * The narrow port between the daemon (loop, leadership, HTTP) and the reconcile engine (observe →
 * diff → gates → act). The engine implements it; the daemon never looks inside a pass. Everything
 * the loop needs for metrics travels back in a {@link PassReport}, so the engine never touches
 * metrics itself.
 */
import type { Mode } from '../config/config-schema.js';
import type { ActionVerb, PlanJson } from './types.js';
import type { DriftKind, Gate, SourceName } from '../world/drift-kinds.js';
import type { CleanupRequestRecord } from '../world/world.js';
import type { ActionResult, CleanupStatus, PassOutcome } from './outcomes.js';

/** Why a pass runs. `retry` = a subject's backoff elapsed; `leadership` = this instance just became leader. */
export const PASS_TRIGGERS = ['startup', 'schedule', 'nbd-change', 'annotation', 'leadership', 'retry'] as const;
export type PassTrigger = (typeof PASS_TRIGGERS)[number];

/**
 * Read-only view of the per-subject backoff the loop keeps (keyed by drift id). The engine asks it
 * before acting on a subject that failed before; the loop records outcomes from the report.
 */
export interface SubjectBackoffView {
  /** True when the subject never failed, or its backoff delay has elapsed. */
  mayRetry(subject: string): boolean;
  /** Epoch ms from which the subject may be retried; null when it may be retried now. */
  retryAt(subject: string): number | null;
}

/** What the loop hands to one pass. */
export interface PassOptions {
  /** Aborted on the per-pass timeout, or when shutdown's grace period ran out. Honour it promptly. */
  readonly signal: AbortSignal;
  /** The first trigger that asked for this pass (later ones were coalesced into it). */
  readonly trigger: PassTrigger;
  /** False = plan only (followers, or a daemon that is stopping): every action is blocked `not-leader`. */
  readonly act: boolean;
  /**
   * Await immediately before EVERY mutation (CloudStack call, file write, row update). Resolves
   * false when this instance lost leadership or the daemon is stopping; the pass must then not
   * start that mutation nor any later one (report them as blocked `not-leader`). An action already
   * under way is finished, not interrupted.
   */
  readonly fence: () => Promise<boolean>;
  /** Per-subject backoff: skip (and report as not attempted) a subject whose retry time is ahead. */
  readonly backoff: SubjectBackoffView;
  /** Correlation id of this pass, for log lines and audit records. */
  readonly passId: string;
}

/** One action the pass attempted (or recorded as a dry run). */
export interface ActionOutcome {
  /** The drift item's stable id: the backoff key. */
  readonly driftId: string;
  readonly kind: DriftKind;
  readonly action: ActionVerb;
  readonly result: ActionResult;
  /** Error message when `result` is `error`. */
  readonly error?: string;
  /** True when the error must not be retried (a TerminalError): counted, no backoff retry. */
  readonly terminal?: boolean;
}

/** One proposed action a gate held back (plan decision `blocked`, or stopped at act time). */
export interface BlockedActionReport {
  readonly driftId: string;
  readonly kind: DriftKind;
  readonly action: ActionVerb;
  readonly gate: Gate;
}

/** Safety rails that tripped in this pass (they also show as blocked actions). */
export type SafetyTrip = 'budget' | 'sanity';

/** What one pass reports back to the loop: everything the metrics and the backoff need. */
export interface PassReport {
  readonly observedAt: string;
  /** Mode in force for this pass (a budget trip may have downgraded the configured one). */
  readonly mode: Mode;
  readonly sources: PlanJson['sources'];
  /** Every open drift item (the plan's drift list fits as is). */
  readonly drift: readonly Pick<PlanJson['drift'][number], 'id' | 'kind' | 'class' | 'firstSeenAt'>[];
  readonly actions: readonly ActionOutcome[];
  readonly blocked: readonly BlockedActionReport[];
  readonly trips: readonly SafetyTrip[];
  /** Cleanup requests by status (from the reconciler's request table). */
  readonly cleanupRequests: Readonly<Partial<Record<CleanupStatus, number>>>;
  /** Volumes carrying the quarantine tag, and the earliest planned deletion (null when none or unknown). */
  readonly quarantine?: { readonly volumes: number; readonly nextDeletionAt: string | null };
  /** NBD export changes staged and waiting for an idle nbd-server restart. */
  readonly pendingNbdChanges?: number;
}

/** Health of one dependency for `/readyz`. */
export interface CheckResult {
  readonly ok: boolean;
  readonly detail?: string;
}

/** Answer to `POST /api/v1/jobs/{job_id}/cleanup`. */
export interface JobCleanupAnswer {
  /** `accepted` = annotated now; `already-requested` = a request exists; `not-found` = no such job; `refused` = not allowed (e.g. job running). */
  readonly outcome: 'accepted' | 'already-requested' | 'not-found' | 'refused';
  /** The request's status after the call (null when not found). */
  readonly status: CleanupRequestRecord['status'] | null;
  readonly message: string;
}

/** Answer to the OMA GUI's `POST /api/v1/failover/{vm_name}/cleanup-failed` (the route adds `vm_name`). */
export interface FailedExecutionCleanupAnswer {
  readonly success: boolean;
  readonly message: string;
  readonly job_id: string | null;
  /** A cleanup status, or `not-found` when no failover job of that VM can be cleaned up. */
  readonly status: CleanupRequestRecord['status'] | 'not-found';
}

/** The reconcile engine, as the daemon sees it. */
export interface EnginePort {
  /** Runs one pass: observe every source, diff, gate, and (when `act`) act behind `fence()`. */
  runPass(options: PassOptions): Promise<PassReport>;
  /** Cheap check for cleanup annotations added since the previous call (reads only what changed). */
  hasNewAnnotations(): Promise<boolean>;
  /** The plan of the last completed pass (`GET /api/v1/plan`); null before the first pass. */
  lastPlan(): PlanJson | null;
  /** What every source says about a subject (`GET /api/v1/explain/{subject}`); null when unknown. */
  explain(subject: string): Promise<unknown>;
  /** The newest audit records, newest first (`GET /api/v1/actions?limit=N`). */
  recentActions(limit: number): Promise<readonly unknown[]>;
  /** The cleanup request of a job (`GET /api/v1/cleanups/{job_id}`); null when none. */
  cleanupStatus(jobId: string): Promise<unknown>;
  /** Records a cleanup request for a replication or failover job (same as the annotation). */
  requestJobCleanup(jobId: string, by: string, keepVolumes: boolean): Promise<JobCleanupAnswer>;
  /**
   * Requests the failed-execution cleanup of a VM's failover job; waits up to `waitSeconds` for the
   * outcome (0 = answer at once with `accepted`). `signal` aborts the wait, not the cleanup.
   */
  requestFailedExecutionCleanup(
    vmName: string,
    by: string,
    waitSeconds: number,
    signal: AbortSignal,
  ): Promise<FailedExecutionCleanupAnswer>;
  /** Reachability of the engine's dependencies for `/readyz`. */
  checks(): Promise<Readonly<Record<Exclude<SourceName, 'devices' | 'volume-daemon'>, CheckResult>>>;
}

/** One finished pass, as listeners of the daemon's pass loop see it (metrics, status page, notifications). */
export interface PassSummary {
  readonly passId: string;
  readonly trigger: PassTrigger;
  readonly act: boolean;
  readonly result: PassOutcome;
  readonly durationSeconds: number;
  readonly report: PassReport | null;
  readonly error?: Error;
}
