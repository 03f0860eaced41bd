import { createConnection } from 'mysql2/promise';
import { testDatabaseUrl } from '../helpers/test-database-url.js';

/** Fails the whole run early, with the fix, when MariaDB is not reachable. */
export default async function globalSetup(): Promise<void> {
  const u = new URL(testDatabaseUrl());
  try {
    const conn = await createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password),
      connectTimeout: 5_000,
    });
    await conn.end();
  } catch (e) {
    throw new Error(
      `MariaDB is not reachable at ${u.hostname}:${u.port || 3306} (${(e as Error).message}). ` +
        'Start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
      { cause: e },
    );
  }
}
