/**
 * The live re-check every move makes right before it starts: a `volume_operations` row of the
 * volume still `pending`/`executing` (younger than the stale limit) means another writer — the
 * daemon for the OMA, or one of our own runs that died — is working on it, and nobody else may.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema-types.js';
import { VolumeMoveError } from './volume-writer.js';

/** An operation in flight on a volume, or null. */
export async function operationInFlight(
  db: Kysely<DB>,
  volumeId: string,
  staleAfterMs: number,
  now: Date,
): Promise<{ readonly id: string; readonly type: string; readonly status: string } | null> {
  const since = new Date(now.getTime() - staleAfterMs);
  const row = await db
    .selectFrom('volume_operations')
    .select(['id', 'type', 'status'])
    .where('volume_id', '=', volumeId)
    .where('status', 'in', ['pending', 'executing'])
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

/** Throws (not terminal: the next pass may try again) while another operation works on the volume. */
export async function refuseWhileInFlight(db: Kysely<DB>, volumeId: string, staleAfterMs: number, now: Date): Promise<void> {
  const busy = await operationInFlight(db, volumeId, staleAfterMs, now);
  if (busy) throw new VolumeMoveError(`volume ${volumeId} has a Volume Daemon operation in flight (${busy.type} ${busy.id}, ${busy.status}): not touched`);
}
