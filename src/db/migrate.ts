import { Migrator, sql, type Kysely, type Migration, type MigrationResult } from 'kysely';
import { SchemaNewerError } from '../errors.js';
import { omaMigrations } from '../../schema/oma/index.js';
import { reconcilerMigrations } from '../../schema/reconciler/index.js';

/** The two migration sets: `oma` reproduces the appliance (tests, demo, bench only); `reconciler` is what `migrate` applies. */
export type MigrationSet = 'oma' | 'reconciler';

const SETS: Record<MigrationSet, { migrations: Record<string, Migration>; table: string }> = {
  oma: { migrations: omaMigrations, table: 'oma_schema_migrations' },
  reconciler: { migrations: reconcilerMigrations, table: 'oma_reconciler_migrations' },
};

/** Outcome of one migration run. */
export interface MigrateOutcome {
  readonly set: MigrationSet;
  readonly applied: readonly string[];
  readonly pending: readonly string[];
}

async function appliedNames<T>(db: Kysely<T>, table: string): Promise<string[] | null> {
  const exists = await sql<{ n: number | string }>`
    select count(*) as n from information_schema.tables
    where table_schema = database() and table_name = ${table}`.execute(db);
  if (Number(exists.rows[0]?.n ?? 0) === 0) return null;
  const rows = await sql<{ name: string }>`select name from ${sql.table(table)} order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/**
 * Applies a migration set. Kysely holds a lock (`GET_LOCK` on MySQL) while it runs, skips what is
 * already applied, and every migration is itself re-runnable. A database that records migrations
 * this build does not know is refused with {@link SchemaNewerError} before anything changes.
 */
export async function migrate<T>(
  db: Kysely<T>,
  set: MigrationSet,
  options: { dryRun?: boolean } = {},
): Promise<MigrateOutcome> {
  const { migrations, table } = SETS[set];
  const known = new Set(Object.keys(migrations));
  const applied = (await appliedNames(db, table)) ?? [];
  const unknown = applied.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new SchemaNewerError(unknown, table);
  const pending = [...known].filter((n) => !applied.includes(n)).sort();
  if (options.dryRun) return { set, applied: [], pending };

  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: table,
    migrationLockTableName: `${table}_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  const done = (results ?? []).filter((r: MigrationResult) => r.status === 'Success').map((r) => r.migrationName);
  return { set, applied: done, pending: [] };
}
