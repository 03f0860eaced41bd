/**
 * Reset of a safety trip: clears the mode ceiling a budget trip left (the same as
 * `apply --reset-budget`), audited with who reset it and why it had tripped. A sanity trip holds one
 * pass only and needs no reset.
 */
import type { EngineDeps } from './engine-deps.js';
import { recordIntent, recordOutcome } from './store/audit-log.js';
import { MODE_CEILING_KEY } from './store/pass-records.js';
import { readState, writeState } from './store/state-store.js';

/** Outcome of a reset. */
export interface ResetResult {
  readonly status: 'reset' | 'not-tripped';
  readonly message: string;
}

/** Clears the budget's mode ceiling, if any. */
export async function resetSafety(deps: EngineDeps, by: string): Promise<ResetResult> {
  const db = deps.database.db;
  const ceiling = await readState<{ mode?: string; reason?: string }>(db, MODE_CEILING_KEY);
  if (!ceiling) return { status: 'not-tripped', message: 'no safety ceiling is in force; nothing to reset' };
  const id = await recordIntent(db, {
    passId: `reset-${deps.clock().getTime()}`,
    driftId: null,
    kind: 'safety',
    action: 'reset-budget',
    subject: { type: 'safety', id: MODE_CEILING_KEY, name: null },
    contextId: null,
    destructive: false,
    detail: { ceiling },
    actor: by,
    leaderHost: deps.hostname,
  });
  await writeState(db, MODE_CEILING_KEY, null);
  await recordOutcome(db, id, 'success', null);
  return { status: 'reset', message: `budget reset (it had tripped: ${ceiling.reason ?? 'no reason recorded'})` };
}
