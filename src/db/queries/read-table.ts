/**
 * The one shape of a whole-table read: one set-based SELECT of the named columns in a stable order,
 * each row mapped into the world's form. The readers of each table only say which columns they need
 * and how a row becomes a world row.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../schema-types.js';

/** The columns `C` of table `T` as a SELECT returns them. */
export type RowOf<T extends keyof DB, C extends keyof Selectable<DB[T]>> = Pick<Selectable<DB[T]>, C>;

/** What to read from a table: which columns, in which order. */
export interface TableRead<T extends keyof DB, C extends keyof Selectable<DB[T]> & string> {
  readonly table: T;
  readonly columns: readonly C[];
  /** Sort keys (stable order makes a saved world and its plan reproducible). */
  readonly orderBy: readonly C[];
}

/** Every row of a table, mapped (one statement). */
export async function readTable<T extends keyof DB, C extends keyof Selectable<DB[T]> & string, Out>(
  db: Kysely<DB>,
  read: TableRead<T, C>,
  map: (row: RowOf<T, C>) => Out,
): Promise<Out[]> {
  // Kysely cannot type a select on a table named by a type parameter; the signature checks the
  // table, its columns and the row type instead, and this untyped view only runs the statement.
  const untyped = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  let query = untyped.selectFrom(read.table as string).select(read.columns as readonly string[]);
  for (const key of read.orderBy) query = query.orderBy(key as string);
  const rows = (await query.execute()) as unknown as RowOf<T, C>[];
  return rows.map(map);
}
