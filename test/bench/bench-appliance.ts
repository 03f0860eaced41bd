import { startApplianceEnv, type ApplianceEnv } from '../../src/appliance-world/appliance-env.js';
import type { VolumeDaemonSimulator } from '../../src/volume-daemon-simulator/start-volume-daemon-simulator.js';
import { startVolumeDaemonBesideAppliance } from '../../src/volume-daemon-simulator/beside-appliance.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import {
  nbdServerInstalled,
  startBenchNbdServer,
  writeBenchBaseConfig,
  type BenchNbdServer,
} from './bench-nbd-server.js';
import { benchWorldSpec } from './bench-world.js';
import { ContextPicker } from './context-picker.js';
import { injectDatabaseDrift } from './inject-database-drift.js';
import { injectRealityDrift } from './inject-reality-drift.js';

/** A benchmark appliance: its own database, the simulator, conf.d, by-id links and nbd-server. */
export interface BenchAppliance {
  readonly database: TestDatabase;
  readonly env: ApplianceEnv;
  /** Port of the base config's `[generic]` section. */
  readonly nbdPort: number;
  /** False when nbd-server is not installed: the config files exist, no server serves them. */
  readonly nbdServer: boolean;
  /** Objects changed per drift kind (empty without drift). */
  readonly injected: Readonly<Record<string, number>>;
  /** The appliance's Volume Daemon, played by the simulator (the reconciler finds it in `auto`). */
  readonly volumeDaemon: VolumeDaemonSimulator;
  /** Seconds spent building (database, simulator, files, nbd-server) and injecting. */
  readonly buildSeconds: number;
  close(): Promise<void>;
}

/** Options of {@link buildBenchAppliance}. */
export interface BenchApplianceOptions {
  readonly vms: number;
  /** Inject about 1 % drift of every kind. Default true. */
  readonly drift?: boolean;
  /** Async job duration of the simulator, ms. Default 0. */
  readonly jobDurationMs?: number;
}

/**
 * Builds an appliance of `vms` contexts through the fixtures' bulk paths, starts nbd-server over its
 * conf.d (see `bench-nbd-server.ts` for why not the fixtures' sandbox), then injects drift by
 * editing rows, simulator state and files, `max(1, vms/100)` objects per kind. The udev stand-in is
 * slowed to once an hour: on a 50,000-VM fleet its by-id rescans would otherwise compete with the
 * pass being measured (call `env.syncDevices()` when links must follow attachments).
 */
export async function buildBenchAppliance(options: BenchApplianceOptions): Promise<BenchAppliance> {
  const started = performance.now();
  const now = new Date();
  const database = await createTestDatabase();
  let env: ApplianceEnv | null = null;
  let nbd: BenchNbdServer | null = null;
  let daemon: VolumeDaemonSimulator | null = null;
  try {
    env = await startApplianceEnv({
      db: database.db,
      databaseUrl: database.url,
      spec: benchWorldSpec(options.vms, now),
      jobDurationMs: options.jobDurationMs ?? 0,
      // Every OMA-attached volume needs a device id on the one OMA VM.
      maxDataDisks: 4 * options.vms + 100,
      udevIntervalMs: 3_600_000,
      nbdServer: false,
    });
    const nbdPort = await writeBenchBaseConfig(env.dirs);
    if (nbdServerInstalled()) nbd = await startBenchNbdServer(env.dirs, nbdPort);
    let injected: Record<string, number> = {};
    if (options.drift ?? true) {
      const count = Math.max(1, Math.round(options.vms / 100));
      const pick = new ContextPicker(env.world.contexts);
      injected = {
        ...(await injectRealityDrift(env, database.db, pick, count, now)),
        ...(await injectDatabaseDrift(database.db, pick, count, now)),
      };
    }
    daemon = await startVolumeDaemonBesideAppliance({
      databaseUrl: database.url,
      dirs: env.dirs,
      cloudstack: {
        apiUrl: env.sim.url,
        apiKey: env.sim.apiKey,
        secretKey: env.sim.secretKey,
        omaVmId: env.world.omaVm.id,
      },
    });
    const built = env;
    const server = nbd;
    const volumeDaemon = daemon;
    return {
      database,
      env: built,
      volumeDaemon,
      nbdPort,
      nbdServer: server !== null,
      injected,
      buildSeconds: (performance.now() - started) / 1000,
      close: async () => {
        await volumeDaemon.close();
        await server?.stop();
        await built.close();
        await database.drop();
      },
    };
  } catch (e) {
    await daemon?.close().catch(() => undefined);
    await nbd?.stop().catch(() => undefined);
    await env?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw e;
  }
}
