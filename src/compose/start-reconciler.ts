import { buildInfo } from '../build-info.js';
import { hostname } from 'node:os';
import type { Config } from '../config/config-schema.js';
import { connectDatabase } from '../db/connect.js';
import { startDaemon, type DaemonHandle } from '../daemon/daemon.js';
import type { SignalSource } from '../daemon/signals.js';
import { nbdConfigWatch } from '../daemon/nbd-watch.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { degradedStatusPage } from '../http/degraded-status-page.js';
import { consoleRoutes } from '../http/console-routes.js';
import { DEFAULT_BODY_LIMIT } from '../http/request-input.js';
import { ConsoleState } from '../http/status-page/console-state.js';
import { statusPageHandler } from '../http/status-page/status-page-handler.js';
import type { Logger } from '../log.js';
import { createCloudStackMetrics } from '../metrics/cloudstack-metrics.js';
import { createMetrics } from '../metrics/registry.js';
import { Notifier } from '../notify/notifier.js';
import { leaderLockName } from './leader-lock-name.js';
import { engineDepsFromConfig } from './engine-deps-from-config.js';

/** The package version (`build_info{version}`): injected into the release binary, package.json in development. */
export function packageVersion(): string {
  return buildInfo().version;
}

/** A running reconciler: the daemon handle and the engine inside it. */
export interface RunningReconciler {
  readonly daemon: DaemonHandle;
  readonly engine: Engine;
}

/**
 * The composition root of `run` (and of the demo): database pool → engine → daemon (leader lock,
 * pass loop with its triggers, HTTP server with the status page). The daemon owns and releases all.
 */
export function startReconciler(options: {
  readonly config: Config;
  readonly logger: Logger;
  readonly signals?: SignalSource | null;
  readonly leaderRetryMs?: number;
}): RunningReconciler {
  const { config, logger } = options;
  const database = connectDatabase(config.databaseUrl, { connectionLimit: 8 });
  const metrics = createMetrics({ version: packageVersion(), commit: buildInfo().commit });
  const deps = engineDepsFromConfig({
    config,
    database,
    logger,
    actor: 'daemon',
    cloudstackMetrics: createCloudStackMetrics(metrics),
  });
  const engine = createEngine(deps);
  const consoleState = new ConsoleState();
  const notifier =
    config.notify.webhooks.length === 0
      ? null
      : new Notifier({
          db: database.db,
          config,
          logger: logger.child({ component: 'notify' }),
          host: hostname(),
          metrics: {
            delivered: (event) => {
              metrics.notificationsTotal.inc({ event, result: 'delivered' });
            },
            failed: (event) => {
              metrics.notificationsTotal.inc({ event, result: 'failed' });
            },
            pending: (n) => {
              metrics.notificationsPending.set(n);
            },
          },
        });
  const daemon = startDaemon({
    config,
    logger,
    engine,
    metrics,
    version: packageVersion(),
    watchNbd: nbdConfigWatch(config.nbd),
    leadership: {
      lockName: leaderLockName(config.databaseUrl),
      ...(options.leaderRetryMs ? { retryMs: options.leaderRetryMs } : {}),
    },
    // Released in reverse: the notifier stops before the pool it writes to closes.
    resources: [
      { name: 'database pool', close: () => database.close() },
      ...(notifier ? [{ name: 'notifier', close: () => notifier.stop() }] : []),
    ],
    statusPage: degradedStatusPage(statusPageHandler(engine, config, consoleState), {
      lastPlan: () => engine.lastPlan(),
      now: deps.clock,
      logger,
    }),
    routes: consoleRoutes({ engine, config, state: consoleState, bodyLimit: DEFAULT_BODY_LIMIT }),
    ...(options.signals !== undefined ? { signals: options.signals } : {}),
  });
  // The HTTP server starts only after the leader session is set up, so no request precedes this.
  consoleState.attach(daemon.loop);
  if (notifier) {
    notifier.start();
    daemon.loop.onPass((s) => {
      if (!s.report || !s.act) return;
      const report = s.report;
      void engine
        .lastPass()
        .then((last) =>
          notifier.collect({
            passId: s.passId,
            observedAt: report.observedAt,
            trips: report.trips,
            world: last?.world ?? null,
          }),
        )
        .catch((e: unknown) => {
          logger.error({ err: e }, 'notifications of a pass could not be recorded');
        });
    });
  }
  return { daemon, engine };
}
