import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';
import { SOURCES, type SourceName } from '../../world/drift-kinds.js';
import type { SourceStatus } from '../../world/world.js';

/** The inventory of the last pass whose sources were complete (the sanity gate's baseline). */
export async function readInventory(db: Kysely<DB>): Promise<Partial<Record<SourceName, number>>> {
  const rows = await db.selectFrom('oma_reconciler_inventory').select(['source', 'count']).execute();
  const out: Partial<Record<SourceName, number>> = {};
  for (const r of rows) if ((SOURCES as readonly string[]).includes(r.source)) out[r.source as SourceName] = Number(r.count);
  return out;
}

/** Stores the inventory of each complete source; incomplete ones keep their previous baseline. */
export async function saveInventory(
  db: Kysely<DB>,
  sources: Readonly<Record<SourceName, SourceStatus>>,
  now: Date,
): Promise<void> {
  const rows = SOURCES.filter((s) => sources[s].complete).map((s) => ({ source: s, count: sources[s].inventory, observed_at: now }));
  if (rows.length === 0) return;
  await db
    .insertInto('oma_reconciler_inventory')
    .values(rows)
    .onDuplicateKeyUpdate({ count: sql<string>`values(count)`, observed_at: now })
    .execute();
}
