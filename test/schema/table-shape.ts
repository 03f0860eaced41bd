import { sql, type Kysely } from 'kysely';

/**
 * A table as `information_schema` describes it, in a compact text form that is easy to compare and
 * to read in a failing diff. Column: `name type NULL|NOT NULL [DEFAULT d] [EXTRA] [COLLATE c]`
 * (COLLATE only when it differs from the table's). Index: `[UNIQUE ]name (col,col(len)) [HASH]`.
 * Foreign key: `name: col -> table(col) ON DELETE rule`. Check: `name: clause`.
 */
export interface TableShape {
  readonly collation: string;
  readonly columns: readonly string[];
  readonly indexes: readonly string[];
  readonly foreignKeys: readonly string[];
  readonly checks: readonly string[];
}

interface ColumnRow {
  name: string;
  type: string;
  nullable: string;
  def: string | null;
  extra: string;
  coll: string | null;
}
interface IndexRow {
  name: string;
  nonUnique: number | string;
  col: string;
  sub: number | string | null;
  type: string;
}

/** Reads the shape of every base table of the current database. */
export async function readTableShapes<Schema>(db: Kysely<Schema>): Promise<Record<string, TableShape>> {
  const tables = await sql<{ name: string; coll: string }>`
    select table_name as name, table_collation as coll from information_schema.tables
    where table_schema = database() and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const shapes: Record<string, TableShape> = {};
  for (const t of tables.rows) shapes[t.name] = await readTableShape(db, t.name, t.coll);
  return shapes;
}

async function readTableShape<Schema>(db: Kysely<Schema>, table: string, collation: string): Promise<TableShape> {
  const columns = await sql<ColumnRow>`
    select column_name as name, column_type as type, is_nullable as nullable, column_default as def,
      extra, collation_name as coll
    from information_schema.columns where table_schema = database() and table_name = ${table}
    order by ordinal_position`.execute(db);
  const indexes = await sql<IndexRow>`
    select index_name as name, non_unique as nonUnique, column_name as col, sub_part as sub, index_type as type
    from information_schema.statistics where table_schema = database() and table_name = ${table}
    order by index_name, seq_in_index`.execute(db);
  const fks = await sql<{ name: string; col: string; rt: string; rc: string; rule: string }>`
    select r.constraint_name as name, k.column_name as col, r.referenced_table_name as rt,
      k.referenced_column_name as rc, r.delete_rule as rule
    from information_schema.referential_constraints r
    join information_schema.key_column_usage k on k.constraint_schema = r.constraint_schema
      and k.constraint_name = r.constraint_name and k.table_name = r.table_name
    where r.constraint_schema = database() and r.table_name = ${table} order by r.constraint_name`.execute(db);
  const checks = await sql<{ name: string; clause: string }>`
    select constraint_name as name, check_clause as clause from information_schema.check_constraints
    where constraint_schema = database() and table_name = ${table} order by constraint_name`.execute(db);
  return {
    collation,
    columns: columns.rows.map((c) => {
      let s = `${c.name} ${c.type} ${c.nullable === 'YES' ? 'NULL' : 'NOT NULL'}`;
      if (c.def !== null) s += ` DEFAULT ${c.def}`;
      if (c.extra) s += ` ${c.extra.toUpperCase()}`;
      if (c.coll && c.coll !== collation) s += ` COLLATE ${c.coll}`;
      return s;
    }),
    indexes: groupIndexes(indexes.rows),
    foreignKeys: fks.rows.map((f) => `${f.name}: ${f.col} -> ${f.rt}(${f.rc}) ON DELETE ${f.rule}`).sort(),
    checks: checks.rows.map((c) => `${c.name}: ${c.clause}`),
  };
}

function groupIndexes(rows: readonly IndexRow[]): string[] {
  const byName = new Map<string, { unique: boolean; type: string; cols: string[] }>();
  for (const r of rows) {
    const entry = byName.get(r.name) ?? { unique: Number(r.nonUnique) === 0, type: r.type, cols: [] };
    entry.cols.push(r.sub === null ? r.col : `${r.col}(${r.sub})`);
    byName.set(r.name, entry);
  }
  return [...byName]
    .map(
      ([name, i]) =>
        `${i.unique ? 'UNIQUE ' : ''}${name} (${i.cols.join(',')})${i.type === 'BTREE' ? '' : ` ${i.type}`}`,
    )
    .sort();
}

/** Adds `extra` (what a later migration set contributes) to a table shape, keeping the sort orders. */
export function withAdditions(base: TableShape, extra: Partial<TableShape> | undefined): TableShape {
  if (!extra) return base;
  return {
    collation: base.collation,
    columns: [...base.columns, ...(extra.columns ?? [])],
    indexes: [...base.indexes, ...(extra.indexes ?? [])].sort(),
    foreignKeys: [...base.foreignKeys, ...(extra.foreignKeys ?? [])].sort(),
    checks: [...base.checks, ...(extra.checks ?? [])].sort(),
  };
}
