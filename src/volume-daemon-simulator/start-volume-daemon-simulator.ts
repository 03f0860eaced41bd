/**
 * A faithful stand-in for the appliance's Volume Management Daemon (`:8090`, no auth): the same
 * routes and JSON, working on the same MariaDB, the project's CloudStack simulator (or any
 * CloudStack), conf.d and by-id directories, with the real daemon's faults switchable.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { configSchema, type Config } from '../config/config-schema.js';
import { connectDatabase } from '../db/connect.js';
import { createLogger, redactUrl, type Logger } from '../log.js';
import type { OperationType } from '../volume-daemon/types.js';
import { openCloudStack, type CloudStackTuning } from './cloudstack-access.js';
import { CrashControl, type CrashPoint } from './crash-control.js';
import { SimExportManager } from './export-manager.js';
import { resolveFaults, type FaultSwitches, type FaultsInput } from './faults.js';
import { failInterruptedOperations } from './operation-store.js';
import { adminRoute } from './admin-routes.js';
import { route } from './routes.js';
import { SimUdev } from './udev.js';
import { VolumeService } from './volume-service.js';
import { closeServer, listen } from '../listen.js';

/** Options; the CLI fills them from the reconciler's configuration. */
export interface VolumeDaemonSimulatorOptions {
  /** Default 0 (any free port); the real daemon listens on 8090. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  readonly databaseUrl: string;
  readonly nbd: {
    readonly baseConfig: string;
    readonly confDir: string;
    readonly pidFile: string;
    readonly port?: number;
  };
  readonly byIdDir: string;
  /** Where the by-id links point (sparse files). Default `volume-daemon-sim-devices` beside the by-id dir. */
  readonly devicesDir?: string;
  /** `CLOUDSTACK_*`/`OMA_VM_ID` overrides and client limits, as in the reconciler's config. */
  readonly cloudstack?: Partial<Config['cloudstack']>;
  readonly cloudstackTuning?: CloudStackTuning;
  /** Default: every fault on (the real daemon). */
  readonly faults?: FaultsInput;
  /** The by-id wait on attach, ms. Default 10000. */
  readonly linkTimeoutMs?: number;
  /** Play udev (create/remove by-id links on OMA attach/detach). Default true. */
  readonly udev?: boolean;
  readonly logger?: Logger;
}

/** Operations handled by this process, by type and outcome. */
export type OperationCounts = Record<OperationType, { started: number; completed: number; failed: number }>;

/** One operation handled by this process, on its own clock (ms since the epoch). */
export interface OperationLogEntry {
  readonly id: string;
  readonly type: OperationType;
  readonly volumeId: string;
  /** When its `pending` row existed and the 201 was sent. */
  readonly acceptedAt: number;
  /** When it ended (null while running, or forever after a crash). */
  endedAt: number | null;
  status: 'running' | 'completed' | 'failed';
}

export interface VolumeDaemonSimulatorStats {
  readonly operations: OperationCounts;
  /** Every operation accepted, in order, with its times: who overlapped whom, to the millisecond. */
  readonly log: OperationLogEntry[];
  /** SIGHUPs actually sent to nbd-server. */
  hups: number;
  /** Operations of an earlier run marked `failed` at start (only with `no-resume` off). */
  interrupted: number;
}

export interface VolumeDaemonSimulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Mutable: switch a fault while the simulator runs. */
  readonly faults: FaultSwitches;
  readonly udev: SimUdev;
  readonly stats: VolumeDaemonSimulatorStats;
  /** The by-id wait on attach, ms (mutable). */
  linkTimeoutMs: number;
  /** Operations still running in the background. */
  readonly running: number;
  /** Resolves when no operation is running. */
  idle(): Promise<void>;
  /** Stops as a kill -9 would: serving stops and no operation writes anything more. */
  crash(): Promise<void>;
  /** The next operation reaching `point` crashes the simulator there; `crashed` resolves then. */
  armCrash(point: CrashPoint): void;
  readonly crashed: Promise<void>;
  /** Stops serving, lets running operations finish, closes the database. */
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a simulator; resolves once it listens (after `no-resume` handling of an earlier run's rows). */
export async function startVolumeDaemonSimulator(
  options: VolumeDaemonSimulatorOptions,
): Promise<VolumeDaemonSimulator> {
  const logger = (options.logger ?? createLogger('info')).child({ component: 'volume-daemon-simulator' });
  const faults = resolveFaults(options.faults);
  const csConfig = configSchema.shape.cloudstack.parse(options.cloudstack ?? {});
  const database = connectDatabase(options.databaseUrl);
  const stats: VolumeDaemonSimulatorStats = {
    operations: Object.fromEntries(
      (['create', 'attach', 'detach', 'delete', 'cleanup'] as const).map((t) => [
        t,
        { started: 0, completed: 0, failed: 0 },
      ]),
    ) as OperationCounts,
    log: [],
    hups: 0,
    interrupted: 0,
  };
  const crash = new CrashControl();
  const udev = new SimUdev(
    options.byIdDir,
    options.devicesDir ?? join(dirname(options.byIdDir), 'volume-daemon-sim-devices'),
  );
  udev.enabled = options.udev ?? true;
  let linkTimeoutMs = options.linkTimeoutMs ?? 10_000;
  const exports = new SimExportManager(database.db, {
    ...options.nbd,
    port: options.nbd.port ?? 10809,
    hupPerChange: () => faults['hup-per-change'],
    logger,
    onHup: () => {
      stats.hups++;
    },
  });
  const csLogger = logger.child({ component: 'cloudstack' });
  const service = new VolumeService({
    db: database.db,
    cloudstack: () =>
      openCloudStack(database.db, csConfig, {
        logger: csLogger,
        ...(options.cloudstackTuning ? { tuning: options.cloudstackTuning } : {}),
      }),
    exports,
    udev,
    faults,
    linkTimeoutMs: () => linkTimeoutMs,
    crash,
    logger,
    onFinished: (type, status, operationId) => {
      stats.operations[type][status]++;
      const entry = stats.log.find((e) => e.id === operationId);
      if (entry) Object.assign(entry, { endedAt: Date.now(), status });
    },
  });

  try {
    if (!faults['no-resume']) {
      stats.interrupted = await failInterruptedOperations(database.db);
      if (stats.interrupted > 0) {
        logger.warn({ count: stats.interrupted }, 'operations of an earlier run marked failed');
      }
    }
  } catch (e) {
    await database.close();
    throw new Error(
      `volume daemon simulator: cannot use the database ${redactUrl(options.databaseUrl)}: ${(e as Error).message}`,
      { cause: e },
    );
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://volume-daemon');
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const answer =
      adminRoute({ faults, stats }, method, url.pathname, body) ??
      (await route({ db: database.db, service, now: () => new Date() }, method, url, body));
    if (answer.status === 201) {
      const accepted = answer.body as { id: string; type: OperationType; volume_id: string };
      stats.operations[accepted.type].started++;
      stats.log.push({
        id: accepted.id,
        type: accepted.type,
        volumeId: accepted.volume_id,
        acceptedAt: Date.now(),
        endedAt: null,
        status: 'running',
      });
    }
    if (answer.body === undefined) res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
    else {
      // The work starts once the answer is out (or the client is gone): it runs whatever the client does.
      if (answer.after) res.once('close', answer.after);
      res
        .writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify(answer.body));
    }
  };
  const server = createServer((req, res) => {
    if (crash.crashed) {
      res.destroy();
      return;
    }
    serve(req, res).catch((e: unknown) => {
      logger.error({ error: (e as Error).message, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: (e as Error).message }));
    });
  });
  const { port } = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  logger.info({ url, faults }, 'volume daemon simulator listening');

  const stopServer = () => closeServer(server);
  let resolveCrashed: () => void = () => undefined;
  const crashed = new Promise<void>((resolve) => {
    resolveCrashed = resolve;
  });
  let crashDone: Promise<void> | null = null;
  const afterCrash = (): Promise<void> => {
    crashDone ??= (async () => {
      await stopServer();
      await service.idle();
      await database.close();
      logger.warn('volume daemon simulator crashed');
      resolveCrashed();
    })();
    return crashDone;
  };
  crash.onCrash(() => void afterCrash());
  let closed: Promise<void> | null = null;

  return {
    url,
    port,
    faults,
    udev,
    stats,
    get linkTimeoutMs() {
      return linkTimeoutMs;
    },
    set linkTimeoutMs(ms: number) {
      linkTimeoutMs = ms;
    },
    get running() {
      return service.running;
    },
    idle: () => service.idle(),
    crash: () => {
      crash.crash();
      return afterCrash();
    },
    armCrash: (point) => {
      crash.arm(point);
    },
    crashed,
    close: () => {
      if (crash.crashed) return afterCrash();
      closed ??= (async () => {
        await stopServer();
        await service.idle();
        await database.close();
      })();
      return closed;
    },
  };
}
