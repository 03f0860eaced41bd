import { sql } from 'kysely';
import { connectDatabase, type Database } from '../db/connect.js';
import { migrate } from '../db/migrate.js';

/** The demo's database name; it is dropped and rebuilt on every run. */
export const DEMO_DATABASE = 'migratekit_oma_demo';

/** The URL of the demo database on the server of `databaseUrl`. */
export function demoDatabaseUrl(databaseUrl: string, name: string = DEMO_DATABASE): string {
  const u = new URL(databaseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Thrown when no MariaDB answers; the message says how to start one. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

/** Recreates the demo database from `schema/oma` + the reconciler's migrations. */
export async function recreateDemoDatabase(databaseUrl: string, name: string = DEMO_DATABASE): Promise<Database> {
  const admin = connectDatabase(databaseUrl, { database: null, connectionLimit: 1 });
  try {
    await sql`select 1`.execute(admin.db);
  } catch (e) {
    const u = new URL(databaseUrl);
    throw new DatabaseUnreachableError(
      `cannot reach MariaDB at ${u.hostname}:${u.port || '3306'} (${(e as Error).message}).\n` +
        'Start one with:\n  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd\n' +
        '(or install it: apt-get install mariadb-server), or point DATABASE_URL at a reachable server.',
      { cause: e },
    );
  } finally {
    await admin.close().catch(() => undefined);
  }
  const admin2 = connectDatabase(databaseUrl, { database: null, connectionLimit: 1 });
  try {
    await sql`drop database if exists ${sql.id(name)}`.execute(admin2.db);
    await sql`create database ${sql.id(name)} character set utf8mb4 collate utf8mb4_general_ci`.execute(admin2.db);
  } finally {
    await admin2.close();
  }
  const database = connectDatabase(demoDatabaseUrl(databaseUrl, name), { connectionLimit: 4 });
  await migrate(database.db, 'oma');
  await migrate(database.db, 'reconciler');
  return database;
}
