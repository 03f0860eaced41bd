/**
 * The outcome vocabularies of a pass: what one action, one pass and one cleanup request ended as.
 * They are metric label values too (`actions_total{result}`, `passes_total{result}`,
 * `cleanup_requests{status}`), which is why each is a closed list.
 */
import type { CleanupRequestRecord } from '../world/world.js';

/** Outcome of one action (`actions_total{result}`). */
export const ACTION_RESULTS = ['success', 'error', 'dry_run'] as const;
export type ActionResult = (typeof ACTION_RESULTS)[number];

/**
 * Outcome of one pass (`passes_total{result}`): `success` = every source complete and the pass
 * ran to its end; `partial` = ran to its end with a source incomplete; `error` = the engine threw;
 * `timeout` = aborted by the per-pass timeout; `aborted` = aborted by shutdown.
 */
export const PASS_OUTCOMES = ['success', 'partial', 'error', 'timeout', 'aborted'] as const;
export type PassOutcome = (typeof PASS_OUTCOMES)[number];

/** Statuses of a cleanup request (`cleanup_requests{status}`). */
export const CLEANUP_STATUSES = [
  'accepted',
  'running',
  'done',
  'failed',
  'refused',
] as const satisfies readonly CleanupRequestRecord['status'][];
export type CleanupStatus = (typeof CLEANUP_STATUSES)[number];

const OPEN_CLEANUP: ReadonlySet<string> = new Set(CLEANUP_STATUSES.filter((s) => s === 'accepted' || s === 'running'));

/** A cleanup request still to be run or running (`accepted`, `running`). */
export function isCleanupOpen(status: string): boolean {
  return OPEN_CLEANUP.has(status);
}

/** A cleanup request that ended (`done`, `failed`, `refused`): every status that is not open. */
export function isCleanupFinal(status: string): boolean {
  return (CLEANUP_STATUSES as readonly string[]).includes(status) && !OPEN_CLEANUP.has(status);
}
