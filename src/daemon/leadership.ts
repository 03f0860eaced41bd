import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { poolOptions } from '../db/connect.js';
import { databaseConnectionError, databaseTarget } from '../db/connection-error.js';
import { coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { LeadershipStatus } from '../reconcile/daemon-status.js';
import { Backoff } from './backoff.js';

/** The lock name of the contract; MariaDB lock names are server-wide (max 64 characters). */
export const LEADER_LOCK_NAME = 'oma-reconciler/leader';

/** Tuning of a {@link Leadership}. */
export interface LeadershipOptions {
  readonly databaseUrl: string;
  readonly logger: Logger;
  /** Default {@link LEADER_LOCK_NAME}. Tests use a name per database. */
  readonly lockName?: string;
  /** Standby re-acquire and leader self-check interval, ms. Default 5000: a standby takes over at most this long after the leader's session ends. */
  readonly retryMs?: number;
  /** Delay between reconnect attempts while the database is unreachable. Default base 1 s, cap 30 s. */
  readonly reconnectBackoff?: Backoff;
  /** Timeout of each lock statement, ms. Default 5000. */
  readonly queryTimeoutMs?: number;
}

/**
 * Leader election with a MariaDB named lock: `GET_LOCK(name, 0)` held on a DEDICATED connection
 * (not the pool: a pooled session could be recycled and take the lock with it). MariaDB releases a
 * named lock when its session ends, so a crashed or partitioned leader loses it without any lease
 * arithmetic, and a standby retrying every `retryMs` takes over. {@link fence} re-checks ownership
 * on the same session right before each mutation, so a leader that silently lost its session
 * cannot act on stale belief.
 */
export class Leadership {
  readonly #o: Required<Omit<LeadershipOptions, 'reconnectBackoff'>>;
  readonly #reconnect: Backoff;
  readonly #listeners = new Set<(status: LeadershipStatus) => void>();
  #conn: Connection | null = null;
  #connectionId: number | null = null;
  #leader = false;
  #lastError: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  #closed = false;
  /** Epoch ms before which a leader that lost its session does not compete again (see #lost). */
  #holdoffUntil = 0;

  constructor(options: LeadershipOptions) {
    this.#o = { lockName: LEADER_LOCK_NAME, retryMs: 5_000, queryTimeoutMs: 5_000, ...options };
    this.#reconnect = options.reconnectBackoff ?? new Backoff({ baseMs: 1_000, capMs: 30_000 });
  }

  /** Starts connecting and competing for the lock in the background; never throws. Resolves after the first attempt. */
  start(): Promise<void> {
    return this.#tick();
  }

  /** True while this instance believes it holds the lock (confirm with {@link fence} before acting). */
  isLeader(): boolean {
    return this.#leader;
  }

  status(): LeadershipStatus {
    return {
      leader: this.#leader,
      connected: this.#conn !== null,
      connectionId: this.#connectionId,
      lastError: this.#lastError,
    };
  }

  /** Subscribes to leader/connection changes; returns the unsubscriber. */
  onChange(listener: (status: LeadershipStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Fencing check: `IS_USED_LOCK(name) = CONNECTION_ID()` on the lock session. False = do not mutate. */
  async fence(): Promise<boolean> {
    const conn = this.#conn;
    if (!this.#leader || conn === null) return false;
    try {
      const [rows] = await conn.query<RowDataPacket[]>(
        { sql: 'SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS mine', timeout: this.#o.queryTimeoutMs },
        [this.#o.lockName],
      );
      if (Number(rows[0]?.mine) === 1) return true;
      this.#setLeader(false, 'lock no longer held by this session');
      return false;
    } catch (e) {
      this.#lost(conn, e);
      return false;
    }
  }

  /** Releases the lock, closes the lock session and stops retrying. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    await this.#ticking;
    const conn = this.#conn;
    this.#conn = null;
    this.#connectionId = null;
    if (conn !== null) {
      try {
        if (this.#leader) {
          await conn.query({ sql: 'SELECT RELEASE_LOCK(?)', timeout: this.#o.queryTimeoutMs }, [this.#o.lockName]);
        }
        await conn.end();
      } catch {
        // Ending the session releases the lock anyway; destroy covers a session that cannot end cleanly.
        conn.destroy();
      }
    }
    this.#setLeader(false, 'closed');
  }

  /** One round: connect if needed, then acquire (standby) or verify (leader); reschedules itself. */
  #tick(): Promise<void> {
    this.#ticking ??= this.#round().finally(() => {
      this.#ticking = null;
    });
    return this.#ticking;
  }

  async #round(): Promise<void> {
    if (this.#closed) return;
    let conn = this.#conn;
    if (conn === null) {
      try {
        conn = await this.#connect();
      } catch (e) {
        this.#lastError = coerceError(e).message;
        this.#emit();
        this.#schedule(this.#reconnect.failure('database'));
        return;
      }
    }
    const holdoff = this.#holdoffUntil - Date.now();
    if (!this.#leader && holdoff > 0) {
      this.#schedule(holdoff);
      return;
    }
    try {
      if (!this.#leader) {
        const [rows] = await conn.query<RowDataPacket[]>(
          { sql: 'SELECT GET_LOCK(?, 0) AS got', timeout: this.#o.queryTimeoutMs },
          [this.#o.lockName],
        );
        if (Number(rows[0]?.got) === 1) this.#setLeader(true, 'lock acquired');
      } else {
        await this.fence();
      }
      this.#schedule(this.#o.retryMs);
    } catch (e) {
      this.#lost(conn, e);
    }
  }

  async #connect(): Promise<Connection> {
    // One session, not a pool: drop the pool-only option (mysql2 warns about it on a connection).
    const options: Omit<ReturnType<typeof poolOptions>, 'connectionLimit'> & { connectionLimit?: number } = poolOptions(
      this.#o.databaseUrl,
    );
    delete options.connectionLimit;
    const conn = await createConnection({ ...options, enableKeepAlive: true, keepAliveInitialDelay: 10_000 }).catch(
      (e: unknown) => {
        throw databaseConnectionError(e, databaseTarget(this.#o.databaseUrl), options.password);
      },
    );
    // Without an 'error' listener a killed session would crash the process.
    conn.on('error', (err: unknown) => {
      this.#lost(conn, err);
    });
    if (this.#closed) {
      conn.destroy();
      throw new Error('leadership closed');
    }
    let rows: RowDataPacket[];
    try {
      [rows] = await conn.query<RowDataPacket[]>({
        sql: 'SELECT CONNECTION_ID() AS id',
        timeout: this.#o.queryTimeoutMs,
      });
    } catch (e) {
      conn.destroy();
      throw e;
    }
    this.#conn = conn;
    this.#connectionId = Number(rows[0]?.id);
    this.#lastError = null;
    this.#reconnect.success('database');
    this.#o.logger.info({ connectionId: this.#connectionId }, 'leader lock session opened');
    this.#emit();
    return conn;
  }

  /** The lock session failed: it and the lock are gone; reconnect after a backoff delay. */
  #lost(conn: Connection, e: unknown): void {
    if (conn !== this.#conn) return;
    this.#conn = null;
    this.#connectionId = null;
    this.#lastError = coerceError(e).message;
    conn.destroy();
    this.#o.logger.warn({ err: coerceError(e) }, 'leader lock session lost');
    if (this.#leader) {
      // Sit out two standby retry intervals before competing again: when only this session died
      // (not the database), a standby gets the lock and leadership does not flap back and forth.
      this.#holdoffUntil = Date.now() + 2 * this.#o.retryMs;
      this.#setLeader(false, 'lock session lost');
    } else {
      this.#emit();
    }
    if (!this.#closed) this.#schedule(this.#reconnect.failure('database'));
  }

  #setLeader(leader: boolean, reason: string): void {
    if (this.#leader === leader) return;
    this.#leader = leader;
    this.#o.logger.info({ leader, reason, lock: this.#o.lockName }, leader ? 'became leader' : 'leadership lost');
    this.#emit();
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#tick();
    }, delayMs);
  }

  #emit(): void {
    const status = this.status();
    for (const listener of this.#listeners) {
      try {
        listener(status);
      } catch (e) {
        this.#o.logger.error({ err: coerceError(e) }, 'leadership listener failed');
      }
    }
  }
}
