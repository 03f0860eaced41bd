import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Backoff } from '../../src/daemon/backoff.js';
import { connectDatabase, type Database } from '../../src/db/connect.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testDatabaseUrl } from '../helpers/test-database-url.js';
import { leadershipUntil, startTestDaemon, type TestDaemon } from './daemon-fixture.js';
import { nextEvent } from './fake-engine.js';
import { metricValue } from './loop-helpers.js';
import { readJson } from '../http/http-fixture.js';

let database: TestDatabase;
/** A session on no particular database, so it never appears among the sessions it kills. */
let admin: Database;
const running: TestDaemon[] = [];

beforeAll(async () => {
  // Leadership and the fake engine need no tables: an empty, uniquely named database scopes them.
  database = await createTestDatabase([]);
  admin = connectDatabase(testDatabaseUrl(), { database: null, connectionLimit: 1 });
});

afterEach(async () => {
  for (const t of running.splice(0)) await t.daemon.stop('test over');
});

afterAll(async () => {
  await admin.close();
  await database.drop();
});

function start(name: string, reconnectBackoff?: Backoff): TestDaemon {
  const t = startTestDaemon(database, { name, ...(reconnectBackoff ? { reconnectBackoff } : {}) });
  running.push(t);
  return t;
}

async function kill(connectionId: number): Promise<void> {
  await sql`KILL ${sql.lit(connectionId)}`.execute(admin.db);
}

/** Starts two daemons one after the other: the first becomes leader, the second standby. */
async function leaderAndStandby(): Promise<{ leader: TestDaemon; standby: TestDaemon }> {
  const leader = start('first');
  await leader.daemon.ready;
  const standby = start('second');
  await standby.daemon.ready;
  return { leader, standby };
}

describe('two daemons against one database', () => {
  it('lets only the leader act while the standby still plans and serves its plan', async () => {
    const { leader, standby } = await leaderAndStandby();
    expect(leader.daemon.leadership.isLeader()).toBe(true);
    expect(standby.daemon.leadership.isLeader()).toBe(false);
    const standbyPass = nextEvent(standby.engine, 'pass-end');
    standby.daemon.loop.trigger('schedule');
    await standbyPass;
    while (leader.engine.mutations.length === 0) await nextEvent(leader.engine, 'pass-end');
    expect(standby.engine.mutations).toEqual([]);
    expect(standby.engine.passes.every((p) => !p.act)).toBe(true);
    expect(await metricValue(leader.daemon.metrics, 'oma_reconciler_leader')).toBe(1);
    expect(await metricValue(standby.daemon.metrics, 'oma_reconciler_leader')).toBe(0);
    const plan = await fetch(standby.url('/api/v1/plan'));
    expect(plan.status).toBe(200);
    const ready = await readJson(await fetch(standby.url('/readyz')));
    expect(ready).toMatchObject({ status: 'ready', role: 'standby' });
  });

  it('hands over to the standby when the leader lock session is killed, and the standby then acts', async () => {
    const { leader, standby } = await leaderAndStandby();
    const lockSession = leader.daemon.leadership.status().connectionId;
    expect(lockSession).not.toBeNull();
    const standbyActs = nextEvent(standby.engine, 'mutation');
    await kill(lockSession ?? -1);
    await leadershipUntil(standby.daemon, (s) => s.leader);
    await standbyActs;
    expect(leader.daemon.leadership.isLeader()).toBe(false);
    expect(await metricValue(standby.daemon.metrics, 'oma_reconciler_leader')).toBe(1);
    expect(await metricValue(leader.daemon.metrics, 'oma_reconciler_leader')).toBe(0);
    // The old leader comes back as a standby and does not act.
    await leadershipUntil(leader.daemon, (s) => s.connected);
    const mutationsBefore = leader.engine.mutations.length;
    const pass = nextEvent(leader.engine, 'pass-end');
    leader.daemon.loop.trigger('schedule');
    await pass;
    expect(leader.engine.mutations.length).toBe(mutationsBefore);
  });

  it('hands over to the standby when the leader daemon stops', async () => {
    const { leader, standby } = await leaderAndStandby();
    const takeover = leadershipUntil(standby.daemon, (s) => s.leader);
    const standbyActs = nextEvent(standby.engine, 'mutation');
    expect((await leader.daemon.stop('rolling upgrade')).state).toBe('stopped');
    await takeover;
    await standbyActs;
  });
});

describe('a daemon whose database goes away', () => {
  it('keeps running, does not act without the lock, reports it on /readyz and recovers', async () => {
    // A fixed 1 s reconnect delay (jitter pinned to 1x) leaves time to look at the outage.
    const t = start('only', new Backoff({ baseMs: 1_000, capMs: 1_000, random: () => 0.5 }));
    await t.daemon.ready;
    expect(t.daemon.leadership.isLeader()).toBe(true);
    const lost = leadershipUntil(t.daemon, (s) => !s.connected);
    const { rows } = await sql<{
      id: number;
    }>`SELECT id FROM information_schema.processlist WHERE db = ${database.name}`.execute(admin.db);
    expect(rows.length).toBeGreaterThan(0);
    for (const { id } of rows) await kill(id).catch(() => undefined);
    await lost;
    const during = await fetch(t.url('/readyz'));
    expect(during.status).toBe(503);
    expect((await readJson(during)).checks.leadership.ok).toBe(false);
    expect(await metricValue(t.daemon.metrics, 'oma_reconciler_leader')).toBe(0);
    const before = t.engine.mutations.length;
    const outagePass = nextEvent(t.engine, 'pass-end');
    t.daemon.loop.trigger('schedule');
    await outagePass;
    expect(t.engine.mutations.length).toBe(before);
    await leadershipUntil(t.daemon, (s) => s.leader);
    expect(t.daemon.state).toBe('running');
    const after = await fetch(t.url('/readyz'));
    expect(after.status).toBe(200);
    expect(await metricValue(t.daemon.metrics, 'oma_reconciler_leader')).toBe(1);
  });
});
