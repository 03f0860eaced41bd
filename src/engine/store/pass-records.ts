/**
 * The reconciler's own records a pass reads besides the sources — the sanity gate's inventory
 * baseline, destructive actions of the last hour per kind (budget gate), and the mode ceiling a
 * budget trip left — in one statement, so a pass costs a constant, small number of statements.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';
import { SOURCES, type SourceName } from '../../world/drift-kinds.js';
import type { World } from '../../world/world.js';
import { describeHold, UNDO_HOLD_PREFIX, type UndoHold } from './undo-holds.js';

/** State key of the mode ceiling a budget trip leaves until an operator resets it. */
export const MODE_CEILING_KEY = 'mode-ceiling';

/** What {@link readPassRecords} returns. */
export interface PassRecords {
  readonly previousInventory: Partial<Record<SourceName, number>>;
  readonly passContext: NonNullable<World['passContext']>;
}

/** Reads the baseline, the destructive counts since `since` and the mode ceiling (one statement). */
export async function readPassRecords(db: Kysely<DB>, since: Date): Promise<PassRecords> {
  const { rows } = await sql<{ part: string; name: string | null; n: number | string | null; value: unknown }>`
    select 'inventory' as part, source as name, ${sql.ref('count')} as n, null as value from oma_reconciler_inventory
    union all
    select 'destructive', kind, count(*), null from oma_reconciler_actions
      where created_at >= ${since} and outcome in ('success', 'abandoned') and json_value(intent, '$.destructive') in ('true', '1')
      group by kind
    union all
    select 'state', ${sql.ref('key')}, null, value from oma_reconciler_state
      where ${sql.ref('key')} = ${MODE_CEILING_KEY} or ${sql.ref('key')} like ${`${UNDO_HOLD_PREFIX}%`}`.execute(db);
  const previousInventory: Partial<Record<SourceName, number>> = {};
  const recentDestructiveByKind: Record<string, number> = {};
  let modeCeiling: 'dry-run' | 'observe' | null = null;
  const undoHolds: Record<string, string> = {};
  for (const r of rows) {
    if (r.part === 'inventory' && (SOURCES as readonly (string | null)[]).includes(r.name)) {
      previousInventory[r.name as SourceName] = Number(r.n);
    } else if (r.part === 'destructive' && r.name !== null) recentDestructiveByKind[r.name] = Number(r.n);
    else if (r.part === 'state' && r.name !== null && r.name.startsWith(UNDO_HOLD_PREFIX)) {
      const subject = r.name.slice(UNDO_HOLD_PREFIX.length);
      let hold: Partial<UndoHold> = {};
      try {
        hold = (typeof r.value === 'string' ? JSON.parse(r.value) : r.value) as Partial<UndoHold>;
      } catch {
        // An unreadable hold still holds.
      }
      undoHolds[subject] = describeHold(subject, hold);
    } else if (r.part === 'state') {
      // Through UNION the JSON column arrives as text.
      const value = (typeof r.value === 'string' ? JSON.parse(r.value) : r.value) as { mode?: unknown } | null;
      if (value?.mode === 'dry-run' || value?.mode === 'observe') modeCeiling = value.mode;
    }
  }
  return { previousInventory, passContext: { recentDestructiveByKind, modeCeiling, undoHolds } };
}
