/**
 * What the daemon tells the HTTP layer about itself (`/readyz`, status page): its lifecycle state and
 * where this instance stands in leader election. Kept here so `src/http/` never imports the daemon.
 */

/**
 * The daemon's lifecycle states:
 * - `starting`: acquiring the leader session, trigger sources and the HTTP server;
 * - `running`: passes run on schedule and on events; `/readyz` can answer 200;
 * - `stopping`: a stop was asked (signal or `stop()`): no new passes, the action in flight finishes
 *   within the grace period, then resources are released in LIFO order;
 * - `stopped`: everything released after a requested stop (exit code 0 path);
 * - `failed`: start-up failed or an unrecoverable error happened; resources were released.
 */
export const DAEMON_STATES = ['starting', 'running', 'stopping', 'stopped', 'failed'] as const;
export type DaemonState = (typeof DAEMON_STATES)[number];

/** Where this instance stands. */
export interface LeadershipStatus {
  readonly leader: boolean;
  /** The dedicated lock connection is open. */
  readonly connected: boolean;
  /** MariaDB `CONNECTION_ID()` of the lock session (null when disconnected). */
  readonly connectionId: number | null;
  /** Why the last connect or lock statement failed; null once healthy again. */
  readonly lastError: string | null;
}
