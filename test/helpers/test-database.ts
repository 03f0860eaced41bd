import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { connectDatabase, type Database } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { testDatabaseUrl } from './test-database-url.js';

/** A fresh, uniquely named database built by the project's own migrations. */
export interface TestDatabase extends Database {
  readonly name: string;
  readonly url: string;
  /** Drops the database and closes the pool. */
  drop(): Promise<void>;
}

/**
 * Creates `omarec_test_<random>` and applies the chosen migration sets (default: the appliance
 * reproduction, then the reconciler's own), exactly as `migrate` would.
 */
export async function createTestDatabase(
  sets: readonly ('oma' | 'reconciler')[] = ['oma', 'reconciler'],
): Promise<TestDatabase> {
  const name = `omarec_test_${randomBytes(5).toString('hex')}`;
  const server = testDatabaseUrl();
  const admin = connectDatabase(server, { database: null, connectionLimit: 1 });
  try {
    await sql`create database ${sql.id(name)} character set utf8mb4 collate utf8mb4_general_ci`.execute(admin.db);
  } finally {
    await admin.close();
  }
  const url = new URL(name, server.endsWith('/') ? server : `${server}/`).toString();
  const database = connectDatabase(url, { connectionLimit: 4 });
  for (const set of sets) await migrate(database.db, set);
  return {
    ...database,
    name,
    url,
    drop: async () => {
      await sql`drop database if exists ${sql.id(name)}`.execute(database.db);
      await database.close();
    },
  };
}
