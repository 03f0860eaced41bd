import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';

/** Reads a named JSON value of `oma_reconciler_state` (null when unset). */
export async function readState<T>(db: Kysely<DB>, key: string): Promise<T | null> {
  const row = await db.selectFrom('oma_reconciler_state').select('value').where('key', '=', key).executeTakeFirst();
  if (!row) return null;
  return (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) as T;
}

/** Writes (or with `null`, deletes) a named JSON value. */
export async function writeState(db: Kysely<DB>, key: string, value: unknown): Promise<void> {
  if (value === null) {
    await db.deleteFrom('oma_reconciler_state').where('key', '=', key).execute();
    return;
  }
  await db
    .insertInto('oma_reconciler_state')
    .values({ key, value: JSON.stringify(value) })
    .onDuplicateKeyUpdate({ value: JSON.stringify(value) })
    .execute();
}
