/**
 * An appliance (MariaDB + CloudStack simulator + conf.d + by-id + real nbd-server) with the Volume
 * Daemon simulator running beside the engine on the same database, directories and CloudStack —
 * every fault of the real daemon on, except one SIGHUP per export change (it corrupts the heap of
 * the real nbd-server 3.24; see ../shared/docs/nbd-server.md §1) unless a test asks for it.
 *
 * The daemon signs its CloudStack calls with an API key of its own, so a test can tell its
 * attach/detach/delete requests from ours (`csMutations`).
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '../../../src/log.js';
import type { VolumeOperation } from '../../../src/volume-daemon/types.js';
import { VolumeDaemonClient } from '../../../src/volume-daemon/volume-daemon-client.js';
import type { FaultsInput } from '../../../src/volume-daemon-simulator/faults.js';
import {
  startVolumeDaemonSimulator,
  type VolumeDaemonSimulator,
} from '../../../src/volume-daemon-simulator/start-volume-daemon-simulator.js';
import { startHarness, type Harness, type HarnessOptions } from '../../engine/helpers/appliance-harness.js';

/** The CloudStack commands that move or remove a volume. */
export const VOLUME_MUTATIONS = ['attachVolume', 'detachVolume', 'deleteVolume'] as const;

const DAEMON_KEY = 'volume-daemon-simulator-key';
const DAEMON_SECRET = 'volume-daemon-simulator-secret';

export interface CoexistenceOptions {
  readonly spec?: HarnessOptions['spec'];
  /** `volumeDaemon.mode` of the engine. Default `required` when the daemon runs, `auto` otherwise. */
  readonly mode?: 'auto' | 'required' | 'off';
  /** Start the daemon simulator (default true). False: the engine is pointed at a closed port. */
  readonly daemon?: boolean;
  /** Faults of the daemon simulator on top of "all on, hup-per-change off". */
  readonly faults?: Exclude<FaultsInput, 'all' | 'none'>;
  /** More engine config (merged). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The engine's logger (default: silent). */
  readonly logger?: HarnessOptions['logger'];
}

export interface Coexistence {
  readonly h: Harness;
  /** The daemon simulator (null when started without one); replaced by `restartDaemon()`. */
  readonly daemon: VolumeDaemonSimulator | null;
  /** Starts a new daemon simulator on the same port (after a crash or close), faults as before. */
  restartDaemon(): Promise<VolumeDaemonSimulator>;
  /** The URL the engine is configured with. */
  readonly daemonUrl: string;
  /** An "OMA" client of the daemon (polls every 10 ms). */
  readonly oma: VolumeDaemonClient;
  /** CloudStack attach/detach/delete requests, by who signed them. */
  csMutations(): { readonly daemon: number; readonly us: number };
  /** Runs one daemon operation to its end for the "OMA" (throws when the daemon refuses the request). */
  omaOperation(kind: 'attach' | 'detach' | 'delete', volumeId: string): Promise<VolumeOperation>;
  /** `volume_operations` rows that ended `failed`. */
  failedOperations(): Promise<{ id: string; type: string; volume_id: string; error: string | null }[]>;
  close(): Promise<void>;
}

/** A port nothing listens on (bound and released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

export async function startCoexistence(options: CoexistenceOptions = {}): Promise<Coexistence> {
  const withDaemon = options.daemon ?? true;
  let daemon: VolumeDaemonSimulator | null = null;
  let daemonUrl = '';
  let startDaemon: ((port: number) => Promise<VolumeDaemonSimulator>) | null = null;
  const h = await startHarness({
    ...(options.spec ? { spec: options.spec } : {}),
    ...(options.config ? { config: options.config } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    volumeDaemonTuning: { pollIntervalMs: 10, probeTimeoutMs: 1_000 },
    beforeEngine: async (env, db) => {
      if (withDaemon) {
        env.sim.state.addApiUser({
          apiKey: DAEMON_KEY,
          secretKey: DAEMON_SECRET,
          account: env.sim.state.defaults.account,
          admin: true,
        });
        startDaemon = (port) =>
          startVolumeDaemonSimulator({
            port,
            databaseUrl: db.url,
            nbd: {
              baseConfig: env.dirs.baseConfig,
              confDir: env.dirs.confDir,
              pidFile: env.dirs.pidFile,
              port: env.nbdPort,
            },
            byIdDir: env.dirs.byIdDir,
            // The same device files as the appliance's udev stand-in: both may create a link, neither trips on the other.
            devicesDir: join(env.dirs.root, 'devices'),
            cloudstack: { apiKey: DAEMON_KEY, secretKey: DAEMON_SECRET },
            cloudstackTuning: {
              poll: { initialMs: 5, factor: 1.5, maxMs: 50 },
              retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20, factor: 2 },
            },
            faults: { 'hup-per-change': false, ...options.faults },
            logger: createLogger('silent'),
          });
        daemon = await startDaemon(0);
        daemonUrl = daemon.url;
      } else {
        daemonUrl = `http://127.0.0.1:${await closedPort()}`;
      }
      return { volumeDaemon: { url: daemonUrl, mode: options.mode ?? (withDaemon ? 'required' : 'auto') } };
    },
  });
  const oma = new VolumeDaemonClient({ url: daemonUrl, pollIntervalMs: 10 });
  const stats = h.env.sim.stats;
  return {
    h,
    get daemon() {
      return daemon;
    },
    restartDaemon: async () => {
      const previous = daemon;
      if (!startDaemon || !previous) throw new Error('no Volume Daemon simulator was started');
      await previous.close();
      daemon = await startDaemon(previous.port);
      return daemon;
    },
    daemonUrl,
    oma,
    csMutations: () => {
      let all = 0;
      let byDaemon = 0;
      for (const c of VOLUME_MUTATIONS) {
        all += stats.requests(c);
        byDaemon += stats.requestsBy(DAEMON_KEY, c);
      }
      return { daemon: byDaemon, us: all - byDaemon };
    },
    omaOperation: async (kind, volumeId) => {
      const started =
        kind === 'attach'
          ? await oma.attachVolume(volumeId, h.omaVmId)
          : kind === 'detach'
            ? await oma.detachVolume(volumeId)
            : await oma.deleteVolume(volumeId);
      return oma.waitForOperation(started.id, { omaVmId: h.omaVmId });
    },
    failedOperations: async () =>
      (
        await h.db.db
          .selectFrom('volume_operations')
          .select(['id', 'type', 'volume_id', 'error'])
          .where('status', '=', 'failed')
          .execute()
      ).map((r) => ({ ...r, error: r.error ?? null })),
    close: async () => {
      await daemon?.close();
      await h.close();
    },
  };
}
