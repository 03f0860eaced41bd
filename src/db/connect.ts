import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import { databaseConnectionError, databaseTarget } from './connection-error.js';
import type { DB } from './schema-types.js';

/** An open database: the typed query builder, the raw pool, and a statement counter for the benchmark. */
export interface Database {
  readonly db: Kysely<DB>;
  readonly pool: Pool;
  /** Number of statements Kysely has executed on this handle (for `bench`'s SQL-per-pass figure). */
  statements(): number;
  close(): Promise<void>;
}

/** Connection options derived from a `mysql://` URL. */
export function poolOptions(url: string, overrides: { database?: string | null; connectionLimit?: number } = {}) {
  const u = new URL(url);
  const database =
    overrides.database === undefined ? decodeURIComponent(u.pathname.replace(/^\//, '')) : overrides.database;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    ...(database ? { database } : {}),
    connectionLimit: overrides.connectionLimit ?? 8,
    charset: 'utf8mb4',
    // All timestamps travel as UTC; DATETIME/TIMESTAMP columns come back as JS Dates.
    timezone: 'Z',
    dateStrings: false,
    // 64-bit ids (bigint PKs, bytes) come back as strings: no silent precision loss.
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: true,
    connectTimeout: 5_000,
    // JSON columns arrive as text and are parsed per row by the queries (json-column.ts): mysql2's
    // own parse throws inside its row parser on text MariaDB's JSON_VALID accepts (`{"n": 1.}`)
    // and closes the connection, which made one bad annotation stall every pass (issue 15).
    jsonStrings: true,
  };
}

/**
 * Opens a Kysely handle on the callback pool of mysql2 (Kysely's MysqlDialect hangs on the promise
 * pool). `database: null` connects without selecting a schema (to create one).
 */
export function connectDatabase(
  url: string,
  overrides: { database?: string | null; connectionLimit?: number } = {},
): Database {
  const options = poolOptions(url, overrides);
  const pool = createPool(options);
  const target = { ...databaseTarget(url), database: options.database ?? null };
  let count = 0;
  const db = new Kysely<DB>({
    // A connection that cannot be opened fails with the server it was for (host, port, user,
    // schema), the driver's code and errno and the server's message — never the password.
    dialect: new MysqlDialect({
      pool: {
        getConnection: (callback) => {
          pool.getConnection((err, conn) => {
            callback(err ? databaseConnectionError(err, target, options.password) : null, conn);
          });
        },
        end: (callback) => {
          pool.end(callback);
        },
      },
    }),
    log: () => {
      count++;
    },
  });
  pool.on('connection', (conn) => {
    // Session time zone UTC so NOW()/CURRENT_TIMESTAMP agree with the driver's 'Z'.
    conn.query("SET time_zone = '+00:00'");
  });
  return {
    db,
    pool,
    statements: () => count,
    close: () => db.destroy(),
  };
}
