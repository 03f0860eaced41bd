import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';
import { SOURCES, type SourceName } from '../../world/drift-kinds.js';
import type { SourceStatus } from '../../world/world.js';

/** The inventory of the last pass whose sources were complete (the sanity gate's baseline). */
export async function readInventory(db: Kysely<DB>): Promise<Partial<Record<SourceName, number>>> {
  const rows = await db.selectFrom('oma_reconciler_inventory').select(['source', 'count']).execute();
  const out: Partial<Record<SourceName, number>> = {};
  for (const r of rows) {
    if ((SOURCES as readonly string[]).includes(r.source)) out[r.source as SourceName] = Number(r.count);
  }
  return out;
}

/**
 * Stores the inventory of each complete source; incomplete ones keep their previous baseline. With
 * `previous` (the baseline this pass read), nothing is written when no complete source changed:
 * an idle pass then costs no write (`observed_at` is the time the baseline last changed).
 */
export async function saveInventory(
  db: Kysely<DB>,
  sources: Readonly<Record<SourceName, SourceStatus>>,
  now: Date,
  previous?: Readonly<Partial<Record<SourceName, number>>>,
): Promise<void> {
  const rows = SOURCES.filter((s) => sources[s].complete).map((s) => ({
    source: s,
    count: sources[s].inventory,
    observed_at: now,
  }));
  if (rows.length === 0) return;
  if (previous && rows.every((r) => previous[r.source] === r.count)) return;
  await db
    .insertInto('oma_reconciler_inventory')
    .values(rows)
    .onDuplicateKeyUpdate({ count: sql<string>`values(count)`, observed_at: now })
    .execute();
}
