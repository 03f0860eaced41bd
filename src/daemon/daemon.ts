import type { Config } from '../config/config-schema.js';
import { MODES } from '../config/config-schema.js';
import { coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { startHttpServer, type HttpServerHandle } from '../http/server.js';
import type { Route } from '../http/route.js';
import type { StatusPageHandler } from '../http/status-page-placeholder.js';
import { createMetrics, type ReconcilerMetrics } from '../metrics/registry.js';
import type { Backoff } from './backoff.js';
import type { DaemonState } from '../reconcile/daemon-status.js';
import { DaemonStateMachine } from './daemon-state.js';
import type { EnginePort } from '../reconcile/engine-port.js';
import { Leadership, type LeadershipOptions } from './leadership.js';
import { PassLoop, type DrainOutcome } from './loop.js';
import { Releasers } from './releasers.js';
import { listenForStopSignals, type SignalSource } from './signals.js';
import { assertCronExpression, type CronScheduler, type NbdWatch } from './trigger-sources.js';

/** Everything the daemon is built from (the composition root, `src/compose/start-reconciler.ts`, provides it). */
export interface DaemonDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly engine: EnginePort;
  /** Watches nbd-server's conf.d and calls back on changes; returns its closer. */
  readonly watchNbd: NbdWatch;
  /** Package version (`build_info{version}`). */
  readonly version: string;
  /** Default: a fresh registry from {@link createMetrics}. */
  readonly metrics?: ReconcilerMetrics;
  /** Leader lock tuning (lock name, re-acquire interval…); the URL is `config.databaseUrl`. */
  readonly leadership?: Omit<LeadershipOptions, 'databaseUrl' | 'logger'>;
  /** Already open resources the daemon owns from now on (the engine's DB pool); closed last. */
  readonly resources?: readonly { readonly name: string; close(): void | Promise<void> }[];
  /** Where SIGTERM/SIGINT come from. Default `process`; null = do not listen. */
  readonly signals?: SignalSource | null;
  readonly statusPage?: StatusPageHandler;
  /** Further HTTP routes (the operator console's mutating routes). */
  readonly routes?: readonly Route[];
  readonly cron?: CronScheduler;
  readonly random?: () => number;
  readonly backoff?: Backoff;
}

/** How the daemon ended. */
export interface DaemonExit {
  readonly state: 'stopped' | 'failed';
  readonly reason: string;
  /** A second signal (or `kill()`) cut the grace period short. */
  readonly forced: boolean;
  /** What happened to the pass in flight at shutdown. */
  readonly drain: DrainOutcome | null;
  readonly error?: Error;
}

/** A running daemon. */
export interface DaemonHandle {
  readonly state: DaemonState;
  /** Resolves once `running`; rejects when start-up failed or a stop came first. */
  readonly ready: Promise<void>;
  /** Resolves once `stopped` or `failed`, with everything released. Never rejects. */
  readonly done: Promise<DaemonExit>;
  readonly metrics: ReconcilerMetrics;
  readonly leadership: Leadership;
  readonly loop: PassLoop;
  /** Where the HTTP server listens; null before it does. */
  httpAddress(): { readonly host: string; readonly port: number } | null;
  /** Graceful stop: no new passes, the action in flight finishes within `shutdownGraceMs`, LIFO release. */
  stop(reason?: string): Promise<DaemonExit>;
  /** Like a second signal: aborts the pass in flight at once (starts a stop if none is under way). */
  kill(reason?: string): Promise<DaemonExit>;
  onStateChange(listener: (state: DaemonState, from: DaemonState) => void): () => void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Process exit code for a daemon exit: 0 only for a clean, unforced stop. */
export function daemonExitCode(exit: DaemonExit): 0 | 1 {
  return exit.state === 'stopped' && !exit.forced && exit.error === undefined ? 0 : 1;
}

/**
 * Starts the daemon: leader session, pass loop and its triggers, HTTP server — acquired in that
 * order and released in reverse. Returns at once (state `starting`); never calls process.exit.
 * Throws synchronously only for invalid configuration (a bad cron expression).
 */
export function startDaemon(deps: DaemonDeps): DaemonHandle {
  const { config } = deps;
  assertCronExpression(config.schedule.resyncCron);
  const log = deps.logger.child({ component: 'daemon' });
  const machine = new DaemonStateMachine();
  machine.onChange((state, from) => {
    log.info({ state, from }, 'daemon state changed');
  });
  const releasers = new Releasers();
  for (const r of deps.resources ?? []) releasers.push(r.name, () => r.close());
  const metrics = deps.metrics ?? createMetrics({ version: deps.version });
  for (const mode of MODES) metrics.mode.set({ mode }, mode === config.mode ? 1 : 0);
  const leadership = new Leadership({
    databaseUrl: config.databaseUrl,
    logger: deps.logger.child({ component: 'leadership' }),
    ...deps.leadership,
  });
  const loop = new PassLoop({
    engine: deps.engine,
    metrics,
    logger: deps.logger.child({ component: 'loop' }),
    schedule: config.schedule,
    isLeader: () => leadership.isLeader(),
    fence: () => leadership.fence(),
    watchNbd: deps.watchNbd,
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
    ...(deps.cron ? { cron: deps.cron } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });
  let http: HttpServerHandle | null = null;
  let forced = false;
  let stopping: Promise<DaemonExit> | null = null;
  let resolveDone: (exit: DaemonExit) => void = () => undefined;
  const done = new Promise<DaemonExit>((resolve) => {
    resolveDone = resolve;
  });

  leadership.onChange((s) => {
    metrics.leader.set(s.leader ? 1 : 0);
    // A new leader acts at once instead of waiting for the next scheduled resync.
    if (s.leader && machine.state === 'running') loop.trigger('leadership');
  });

  const startup = (async () => {
    releasers.push('leader lock session', () => leadership.close());
    await leadership.start();
    if (machine.state !== 'starting') return;
    releasers.push('pass loop and watchers', () => loop.close());
    loop.start();
    const server = await startHttpServer({
      listen: config.httpListen,
      engine: deps.engine,
      metrics,
      logger: deps.logger.child({ component: 'http' }),
      apiToken: config.apiToken,
      readiness: { lifecycle: () => machine.state, leadership: () => leadership.status() },
      ...(deps.statusPage ? { statusPage: deps.statusPage } : {}),
      ...(deps.routes ? { extraRoutes: deps.routes } : {}),
    });
    http = server;
    releasers.push('http server', () => server.close());
    if (machine.can('running')) machine.transition('running');
  })();

  /** Drain the loop, release LIFO, then settle in `state`. */
  const finish = async (
    state: 'stopped' | 'failed',
    reason: string,
    graceMs: number,
    error?: Error,
  ): Promise<DaemonExit> => {
    await startup.catch(() => undefined);
    const drain = await loop.drain(graceMs);
    const releaseError = await releasers.releaseAll(log);
    removeSignals();
    const firstError = error ?? releaseError ?? undefined;
    const exit: DaemonExit = { state, reason, forced, drain, ...(firstError ? { error: firstError } : {}) };
    machine.transition(state);
    log.info({ state, reason, forced, drain }, 'daemon ended');
    resolveDone(exit);
    return exit;
  };

  const stop = (reason = 'stop requested'): Promise<DaemonExit> => {
    if (stopping) return stopping;
    if (!machine.can('stopping')) return done;
    machine.transition('stopping');
    log.info({ reason, graceMs: config.schedule.shutdownGraceMs }, 'stopping');
    stopping = finish('stopped', reason, config.schedule.shutdownGraceMs);
    return stopping;
  };

  const kill = (reason = 'forced stop'): Promise<DaemonExit> => {
    forced = true;
    log.warn({ reason }, 'aborting the pass in flight');
    loop.abortNow(reason);
    return stop(reason);
  };

  const signals = deps.signals === undefined ? process : deps.signals;
  const removeSignals =
    signals === null
      ? () => undefined
      : listenForStopSignals(signals, {
          graceful: (signal) => void stop(`signal ${signal}`),
          force: (signal) => void kill(`second signal ${signal}`),
        });

  const ready = startup.then(
    () => {
      if (machine.state !== 'running') throw new Error(`daemon is ${machine.state}, not running`);
    },
    (e: unknown) => {
      const error = coerceError(e);
      log.error({ err: error }, 'start-up failed');
      // Release what was acquired, then settle in `failed` (unless a stop is already under way).
      stopping ??= finish('failed', 'start-up failed', 0, error);
      throw error;
    },
  );
  // `ready` is for callers who want it; nobody awaiting it must not be an unhandled rejection.
  ready.catch(() => undefined);

  return {
    get state() {
      return machine.state;
    },
    ready,
    done,
    metrics,
    leadership,
    loop,
    httpAddress: () => http?.address ?? null,
    stop,
    kill,
    onStateChange: (listener) => machine.onChange(listener),
    [Symbol.asyncDispose]: async () => {
      await stop('disposed');
    },
  };
}
