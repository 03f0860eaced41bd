import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { daemonExitCode } from '../../src/daemon/daemon.js';
import { ConfigError } from '../../src/errors.js';
import { Leadership } from '../../src/daemon/leadership.js';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startTestDaemon, type TestDaemon } from './daemon-fixture.js';
import { nextEvent } from './fake-engine.js';

let database: TestDatabase;
const running: TestDaemon[] = [];

beforeAll(async () => {
  // The lock and the fake engine need no tables: an empty, uniquely named database scopes them.
  database = await createTestDatabase([]);
});

afterEach(async () => {
  for (const t of running.splice(0)) await t.daemon.kill('test over');
});

afterAll(async () => {
  await database.drop();
});

function start(opts: Parameters<typeof startTestDaemon>[1] = {}): TestDaemon {
  const t = startTestDaemon(database, opts);
  running.push(t);
  return t;
}

/** True when a fresh session can take the leader lock at once (nobody holds it). */
async function lockIsFree(): Promise<boolean> {
  const probe = new Leadership({
    databaseUrl: database.url,
    logger: createLogger('silent'),
    lockName: `oma-reconciler/leader/${database.name}`,
  });
  await probe.start();
  const free = probe.isLeader();
  await probe.close();
  return free;
}

describe('daemon lifecycle', () => {
  it('finishes the action in flight on SIGTERM, starts no new one, releases everything and ends stopped', async () => {
    const t = start();
    t.engine.subjects = ['orphan-volume:volume:a', 'orphan-volume:volume:b'];
    let release: () => void = () => undefined;
    t.engine.actionHook = () =>
      new Promise((r) => {
        release = r;
      });
    const inAction = nextEvent(t.engine, 'action-start');
    await t.daemon.ready;
    await inAction;
    const url = t.url('/healthz');
    t.signals.emit('SIGTERM');
    expect(t.daemon.state).toBe('stopping');
    release();
    const exit = await t.daemon.done;
    expect(exit).toMatchObject({ state: 'stopped', forced: false, drain: 'finished' });
    expect(daemonExitCode(exit)).toBe(0);
    expect(t.engine.mutations.map((m) => m.subject)).toEqual(['orphan-volume:volume:a']);
    expect(t.states).toEqual(['running', 'stopping', 'stopped']);
    expect(await lockIsFree()).toBe(true);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('aborts the action in flight on a second signal', async () => {
    const t = start();
    t.engine.actionHook = (signal) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          reject(signal.reason as Error);
        });
      });
    const inAction = nextEvent(t.engine, 'action-start');
    await t.daemon.ready;
    await inAction;
    t.signals.emit('SIGTERM');
    t.signals.emit('SIGINT');
    const exit = await t.daemon.done;
    expect(exit).toMatchObject({ state: 'stopped', forced: true, drain: 'aborted' });
    expect(daemonExitCode(exit)).toBe(1);
    expect(t.engine.mutations).toEqual([]);
  });

  it('aborts the action in flight when the shutdown grace period runs out', async () => {
    const t = start({ config: { schedule: { shutdownGraceMs: 50 } } });
    t.engine.actionHook = (signal) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          reject(signal.reason as Error);
        });
      });
    const inAction = nextEvent(t.engine, 'action-start');
    await t.daemon.ready;
    await inAction;
    const exit = await t.daemon.stop('test');
    expect(exit).toMatchObject({ state: 'stopped', forced: false, drain: 'aborted' });
  });

  it('stops on a SIGTERM emitted on the process itself when listening to process signals', async () => {
    const t = start({ deps: { signals: process } });
    await t.daemon.ready;
    process.emit('SIGTERM');
    expect((await t.daemon.done).state).toBe('stopped');
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('ends failed and releases the lock when the HTTP port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const t = start({ config: { httpListen: `127.0.0.1:${port}` } });
      await expect(t.daemon.ready).rejects.toThrow(/EADDRINUSE/);
      const exit = await t.daemon.done;
      expect(exit.state).toBe('failed');
      expect(exit.error?.message).toMatch(/EADDRINUSE/);
      expect(t.states).toEqual(['failed']);
      expect(await lockIsFree()).toBe(true);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('ends stopped when asked to stop while still starting', async () => {
    const t = start();
    const exit = await t.daemon.stop('changed my mind');
    expect(exit.state).toBe('stopped');
    await expect(t.daemon.ready).rejects.toThrow(/not running/);
    expect(t.states).toEqual(['stopping', 'stopped']);
  });

  it('stops when disposed, and a second stop returns the same exit', async () => {
    const t = start();
    await t.daemon.ready;
    await t.daemon[Symbol.asyncDispose]();
    expect(t.daemon.state).toBe('stopped');
    expect(await t.daemon.stop()).toBe(await t.daemon.done);
  });

  it('refuses an invalid resync schedule before acquiring anything', () => {
    expect(() => startTestDaemon(database, { config: { schedule: { resyncCron: 'every minute' } } })).toThrow(
      ConfigError,
    );
  });
});
