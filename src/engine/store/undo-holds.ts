/**
 * Undo holds (issue 15): a successful `undo` pauses its subject so the next passes do not redo what
 * an operator just undid, until the operator releases it (`undo --release SUBJECT`). Kept in
 * `oma_reconciler_state` under `undo-hold/<subject id>`; read by every pass with its other records
 * and shown by the paused gate (and so by `explain`).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';
import { writeState } from './state-store.js';

/** State key prefix of the holds. */
export const UNDO_HOLD_PREFIX = 'undo-hold/';

/** What a hold records. */
export interface UndoHold {
  readonly actionId: string;
  readonly action: string;
  readonly by: string;
  readonly at: string;
}

/** The state key of the hold on `subjectId` (the key column holds 191 characters). */
export function undoHoldKey(subjectId: string): string {
  return `${UNDO_HOLD_PREFIX}${subjectId}`.slice(0, 191);
}

/** The sentence the paused gate shows for a hold. */
export function describeHold(subjectId: string, hold: Partial<UndoHold>): string {
  return `held since the undo of action ${hold.actionId ?? '?'} (${hold.action ?? '?'}) by ${hold.by ?? '?'} at ${hold.at ?? '?'}; release with "oma-reconciler undo --release ${subjectId}"`;
}

/** Places (or renews) the hold on `subjectId`. */
export async function placeUndoHold(db: Kysely<DB>, subjectId: string, hold: UndoHold): Promise<void> {
  await writeState(db, undoHoldKey(subjectId), hold);
}

/** Releases the hold on `subjectId`; true when there was one. */
export async function releaseUndoHold(db: Kysely<DB>, subjectId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('oma_reconciler_state')
    .where('key', '=', undoHoldKey(subjectId))
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
