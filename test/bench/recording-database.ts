import { Kysely, MysqlDialect, type MysqlPool, type MysqlPoolConnection } from 'kysely';
import type { PoolConnection } from 'mysql2';
import type { Database } from '../../src/db/connect.js';
import type { DB } from '../../src/db/schema-types.js';

/** One statement as the driver sent it. */
export interface RecordedStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * The statements of one connection checkout, in order: a transaction is one session, a lone query
 * another. Sessions ran concurrently with each other in the pass, statements of a session did not.
 */
export type RecordedSession = readonly RecordedStatement[];

/** A {@link Database} whose statements are recorded per connection checkout. */
export interface RecordingDatabase extends Database {
  /** Starts a fresh recording and returns the sessions recorded since the previous call. */
  take(): RecordedSession[];
}

/**
 * Wraps an open database so every statement Kysely sends is recorded with its connection checkout,
 * on the same mysql2 pool (nothing else changes: same driver, same connections, same SQL). The
 * benchmark counts statements from it and replays them as the I/O floor.
 */
export function recordingDatabase(database: Database): RecordingDatabase {
  let sessions: RecordedStatement[][] = [];
  let total = 0;
  const wrap = (raw: PoolConnection): MysqlPoolConnection => {
    const session: RecordedStatement[] = [];
    sessions.push(session);
    const query = (sql: string, parameters: unknown[], callback?: (error: unknown, result: never) => void) => {
      session.push({ sql, parameters: [...parameters] });
      total++;
      return callback ? raw.query(sql, parameters, callback) : raw.query(sql, parameters);
    };
    return {
      query,
      release: () => {
        raw.release();
      },
    };
  };
  const pool: MysqlPool = {
    getConnection: (callback) => {
      database.pool.getConnection((error, raw) => {
        // On error mysql2 hands no connection; Kysely only looks at the error then.
        if (error) callback(error, raw);
        else callback(error, wrap(raw));
      });
    },
    end: (callback) => {
      database.pool.end(callback);
    },
  };
  const db = new Kysely<DB>({ dialect: new MysqlDialect({ pool }) });
  return {
    db,
    pool: database.pool,
    statements: () => total,
    close: () => db.destroy(),
    take: () => {
      const out = sessions.filter((s) => s.length > 0);
      sessions = [];
      return out;
    },
  };
}
