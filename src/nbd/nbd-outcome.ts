/**
 * Result objects of `NbdExportManager`: every call returns one instead of throwing halfway, and
 * each `reason` completes the sentence "export NAME …" for `explain`, logs and the audit trail.
 */

/** What kind of change an outcome is about. */
export type NbdChangeKind = 'add' | 'remove' | 'update' | 'none';

/** Outcome of one export operation. */
export interface NbdOutcome {
  /**
   * - `applied`: files written and the running server serves the desired state (or is not running);
   * - `pending`: files written, the server takes it later (reason says why and when);
   * - `refused`: nothing was written (bad input, unsafe config, not ours to change);
   * - `failed`: something was written but the server did not converge (reason has the evidence);
   * - `dry-run`: nothing was written; `diff` shows what would be.
   */
  readonly status: 'applied' | 'pending' | 'refused' | 'failed' | 'dry-run';
  readonly exportName: string;
  readonly change: NbdChangeKind;
  readonly reason: string;
  /** Unified diff of the files changed (or that would change). */
  readonly diff?: string;
  /** Backup made of a changed or removed file (what `undo` restores). */
  readonly backup?: string;
  readonly error?: Error;
}

/** Outcome of one `applyPending` pass: at most one reload (HUP or restart). */
export interface ApplyPendingResult {
  /** `hup` / `restart` when one was performed; `deferred` when changes wait; `none` when in sync. */
  readonly action: 'none' | 'hup' | 'restart' | 'deferred' | 'refused' | 'failed';
  readonly reason: string;
  readonly version: string | null;
  readonly sessions: number | null;
  readonly outcomes: readonly NbdOutcome[];
}

/** Builds a `refused` outcome. */
export function refused(exportName: string, change: NbdChangeKind, reason: string, error?: Error): NbdOutcome {
  return error
    ? { status: 'refused', exportName, change, reason, error }
    : { status: 'refused', exportName, change, reason };
}

/** Builds a `dry-run` outcome: the diff of what would change, and `wouldDo` unless no file would. */
export function dryRunOutcome(exportName: string, change: NbdChangeKind, diff: string, wouldDo: string): NbdOutcome {
  return { status: 'dry-run', exportName, change, diff, reason: diff === '' ? 'no file would change' : wouldDo };
}
