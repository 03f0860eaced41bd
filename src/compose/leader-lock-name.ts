import { LEADER_LOCK_NAME } from '../daemon/leadership.js';

/**
 * The leader lock of one database. MariaDB named locks are server-wide, so the database name is
 * part of the lock: two appliances' databases on one server (or a demo beside production) never
 * compete for one lock.
 */
export function leaderLockName(databaseUrl: string): string {
  const db = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  return `${LEADER_LOCK_NAME}:${db}`.slice(0, 64);
}
