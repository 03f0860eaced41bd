import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';
import type { LedgerEntry } from '../../world/world.js';
import type { LedgerObservation } from '../ledger.js';
import { inChunks } from './in-chunks.js';

const CHUNK = 2000;

/**
 * Adds to the ownership ledger every CloudStack id the database references now and the ledger does
 * not know yet. Entries are never removed: that an id was once ours is exactly what the ledger must
 * remember after the rows referencing it are gone.
 */
export async function recordLedger(
  db: Kysely<DB>,
  known: readonly LedgerEntry[],
  observed: readonly LedgerObservation[],
  now: Date,
): Promise<number> {
  const have = new Set(known.map((e) => `${e.objectType}:${e.objectId}`));
  const fresh = observed.filter((o) => !have.has(`${o.objectType}:${o.objectId}`));
  await inChunks(fresh, CHUNK, (chunk) =>
    db
      .insertInto('oma_reconciler_ledger')
      .values(
        chunk.map((o) => ({
          object_type: o.objectType,
          object_id: o.objectId,
          first_seen_at: now,
          last_seen_at: now,
          reason: o.reason.slice(0, 500),
        })),
      )
      .onDuplicateKeyUpdate({ last_seen_at: now })
      .execute(),
  );
  return fresh.length;
}

/** Records an operator's adoption of an object that only looked ours (`explain` shows how). */
export async function adoptObject(
  db: Kysely<DB>,
  objectType: LedgerEntry['objectType'],
  objectId: string,
  by: string,
  now: Date,
): Promise<void> {
  await db
    .insertInto('oma_reconciler_ledger')
    .values({
      object_type: objectType,
      object_id: objectId,
      first_seen_at: now,
      last_seen_at: now,
      reason: `adopted by ${by}`,
      adopted: 1,
      adopted_by: by,
    })
    .onDuplicateKeyUpdate({ adopted: 1, adopted_by: by, last_seen_at: now })
    .execute();
}
