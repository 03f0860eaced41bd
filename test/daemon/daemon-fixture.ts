import { EventEmitter } from 'node:events';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { Backoff } from '../../src/daemon/backoff.js';
import { startDaemon, type DaemonDeps, type DaemonHandle } from '../../src/daemon/daemon.js';
import type { DaemonState } from '../../src/reconcile/daemon-status.js';
import type { LeadershipStatus } from '../../src/reconcile/daemon-status.js';
import { createLogger } from '../../src/log.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { FakeEngine } from './fake-engine.js';
import { manualNbdWatch } from './loop-helpers.js';
import { testConfig } from './test-config.js';

/** One in-process daemon over a fake engine, with its own signal emitter and state log. */
export interface TestDaemon {
  readonly daemon: DaemonHandle;
  readonly engine: FakeEngine;
  readonly signals: EventEmitter;
  readonly states: DaemonState[];
  url(path: string): string;
}

/** Starts a daemon on `database` (lock name scoped to it; standby retry every 100 ms). */
export function startTestDaemon(
  database: TestDatabase,
  opts: { name?: string; config?: Partial<ConfigInput>; deps?: Partial<DaemonDeps>; reconnectBackoff?: Backoff } = {},
): TestDaemon {
  const engine = new FakeEngine(opts.name);
  const signals = new EventEmitter();
  const states: DaemonState[] = [];
  const daemon = startDaemon({
    config: testConfig({ databaseUrl: database.url, ...opts.config }),
    logger: createLogger('silent'),
    engine,
    watchNbd: manualNbdWatch().watch,
    version: '0.0.0-test',
    signals,
    leadership: {
      lockName: `oma-reconciler/leader/${database.name}`,
      retryMs: 100,
      reconnectBackoff: opts.reconnectBackoff ?? new Backoff({ baseMs: 50, capMs: 500 }),
    },
    ...opts.deps,
  });
  daemon.onStateChange((state) => states.push(state));
  return {
    daemon,
    engine,
    signals,
    states,
    url: (path) => {
      const address = daemon.httpAddress();
      if (!address) throw new Error('daemon is not listening yet');
      return `http://127.0.0.1:${address.port}${path}`;
    },
  };
}

/** Resolves with the first leadership status (now or later) that satisfies `predicate`. */
export function leadershipUntil(
  d: DaemonHandle,
  predicate: (s: LeadershipStatus) => boolean,
): Promise<LeadershipStatus> {
  return new Promise((resolve) => {
    if (predicate(d.leadership.status())) {
      resolve(d.leadership.status());
      return;
    }
    const off = d.leadership.onChange((s) => {
      if (!predicate(s)) return;
      off();
      resolve(s);
    });
  });
}
