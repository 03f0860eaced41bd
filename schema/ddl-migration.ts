import type { Migration, RawBuilder } from 'kysely';

/**
 * A migration made of raw SQL statements run in order. MariaDB auto-commits DDL, so each statement
 * must be re-runnable on its own (`IF NOT EXISTS` everywhere): a run interrupted half-way is
 * finished by the next one. No `down`: neither set is ever rolled back on a real appliance.
 */
export function ddlMigration(...statements: readonly RawBuilder<unknown>[]): Migration {
  return {
    up: async (db) => {
      for (const statement of statements) await statement.execute(db);
    },
  };
}
