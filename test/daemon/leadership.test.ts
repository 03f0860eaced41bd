import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Backoff } from '../../src/daemon/backoff.js';
import { Leadership } from '../../src/daemon/leadership.js';
import type { LeadershipStatus } from '../../src/reconcile/daemon-status.js';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
const open: Leadership[] = [];

beforeAll(async () => {
  // The lock needs no tables: an empty, uniquely named database scopes the sessions of this file.
  database = await createTestDatabase([]);
});

afterEach(async () => {
  for (const l of open.splice(0)) await l.close();
});

afterAll(async () => {
  await database.drop();
});

/** A leadership instance on this file's database with a lock name of its own (lock names are server-wide). */
function contender(): Leadership {
  const l = new Leadership({
    databaseUrl: database.url,
    logger: createLogger('silent'),
    lockName: `oma-reconciler/leader/${database.name}`,
    retryMs: 100,
    reconnectBackoff: new Backoff({ baseMs: 50, capMs: 500 }),
  });
  open.push(l);
  return l;
}

/** Resolves with the first status change that satisfies `predicate` (or at once if it already holds). */
function until(l: Leadership, predicate: (s: LeadershipStatus) => boolean): Promise<LeadershipStatus> {
  return new Promise((resolve) => {
    if (predicate(l.status())) {
      resolve(l.status());
      return;
    }
    const off = l.onChange((s) => {
      if (!predicate(s)) return;
      off();
      resolve(s);
    });
  });
}

async function kill(connectionId: number): Promise<void> {
  await sql`KILL ${sql.lit(connectionId)}`.execute(database.db);
}

describe('Leadership', () => {
  it('lets exactly one of two instances hold the lock, and fences the other', async () => {
    const a = contender();
    const b = contender();
    await a.start();
    await b.start();
    expect([a.isLeader(), b.isLeader()].sort()).toEqual([false, true]);
    const leader = a.isLeader() ? a : b;
    const standby = leader === a ? b : a;
    expect(await leader.fence()).toBe(true);
    expect(await standby.fence()).toBe(false);
    expect(standby.status().connected).toBe(true);
  });

  it('hands the lock to the standby when the leader session is killed, and the old leader fences itself', async () => {
    const a = contender();
    await a.start();
    const b = contender();
    await b.start();
    expect(a.isLeader()).toBe(true);
    const lost = until(a, (s) => !s.leader);
    const takeover = until(b, (s) => s.leader);
    await kill(a.status().connectionId ?? -1);
    expect(await a.fence()).toBe(false);
    await lost;
    await takeover;
    expect(await b.fence()).toBe(true);
    // The old leader reconnects as a standby.
    await until(a, (s) => s.connected);
    expect(a.isLeader()).toBe(false);
  });

  it('releases the lock on close so the standby takes over', async () => {
    const a = contender();
    await a.start();
    const b = contender();
    await b.start();
    const takeover = until(b, (s) => s.leader);
    await a.close();
    expect(a.status()).toEqual({ leader: false, connected: false, connectionId: null, lastError: null });
    await takeover;
  });

  it('keeps retrying while the database is unreachable and reports why', async () => {
    const l = new Leadership({
      databaseUrl: 'mysql://root@127.0.0.1:1/none',
      logger: createLogger('silent'),
      lockName: `oma-reconciler/leader/${database.name}/unreachable`,
      reconnectBackoff: new Backoff({ baseMs: 20, capMs: 50 }),
    });
    open.push(l);
    await l.start();
    expect(l.status().connected).toBe(false);
    expect(l.status().lastError).toMatch(/ECONNREFUSED/);
    let attempts = 0;
    await new Promise<void>((resolve) => {
      const off = l.onChange(() => {
        attempts++;
        if (attempts >= 2) {
          off();
          resolve();
        }
      });
    });
    expect(l.isLeader()).toBe(false);
  });
});
