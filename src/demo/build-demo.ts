import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config-schema.js';
import { loadConfig } from '../config/load-config.js';
import type { Database } from '../db/connect.js';
import { startApplianceEnv, type ApplianceEnv } from '../appliance-world/appliance-env.js';
import { DEMO_DATABASE, demoDatabaseUrl, recreateDemoDatabase } from './demo-database.js';
import { demoSettings } from './demo-settings.js';
import { injectDemoDrift, type InjectedDrift } from './inject-drift.js';
import { type VolumeDaemonSimulator } from '../volume-daemon-simulator/start-volume-daemon-simulator.js';
import { startVolumeDaemonBesideAppliance } from '../volume-daemon-simulator/beside-appliance.js';

/** A dozen-odd VMs in every status; most are replicated and ready, as on a real appliance. */
export const DEMO_STATUSES = [
  'ready_for_failover',
  'discovered',
  'ready_for_failover',
  'replicating',
  'ready_for_failover',
  'failed',
  'ready_for_failover',
  'failed_over_test',
  'ready_for_failover',
  'failed_over_live',
  'ready_for_failover',
  'ready_for_failover',
  'failed',
  'ready_for_failover',
  'replicating',
  'ready_for_failover',
] as const;

/** The demo appliance, built and drifted, with the configuration that points the daemon at it. */
export interface DemoAppliance {
  readonly env: ApplianceEnv;
  readonly database: Database;
  readonly config: Config;
  readonly token: string;
  readonly injected: readonly InjectedDrift[];
  /** The appliance's Volume Management Daemon, played by the simulator (volume moves go through it). */
  readonly volumeDaemon: VolumeDaemonSimulator;
  close(): Promise<void>;
}

/**
 * Builds the demo appliance: recreates the demo database on the server of `databaseUrl`, starts
 * the simulator and (when installed) nbd-server, builds the world and injects the demo's drift.
 */
export async function buildDemo(options: {
  readonly databaseUrl: string;
  readonly databaseName?: string;
  readonly httpListen: string;
  readonly logLevel?: string;
  /** A JSON config file (`demo --config FILE`): layered under the demo's environment and settings. */
  readonly configFile?: string;
  /** Extra configuration on top of the demo's (config paths, as `--config` would give them). */
  readonly overrides?: Readonly<Record<string, unknown>>;
}): Promise<DemoAppliance> {
  const name = options.databaseName ?? DEMO_DATABASE;
  const database = await recreateDemoDatabase(options.databaseUrl, name);
  const env = await startApplianceEnv({
    db: database.db,
    databaseUrl: demoDatabaseUrl(options.databaseUrl, name),
    spec: { seed: 'demo', vmCount: DEMO_STATUSES.length, statuses: DEMO_STATUSES, vmNamePrefix: 'demo-vm-' },
  });
  let volumeDaemon: VolumeDaemonSimulator | null = null;
  try {
    const injected = await injectDemoDrift(env, database, new Date());
    const token = randomBytes(16).toString('hex');
    // The appliance's Volume Daemon, played by the simulator (its faults on, as on the appliance).
    volumeDaemon = await startVolumeDaemonBesideAppliance({
      databaseUrl: demoDatabaseUrl(options.databaseUrl, name),
      dirs: env.dirs,
      cloudstack: {
        apiUrl: env.sim.url,
        apiKey: env.sim.apiKey,
        secretKey: env.sim.secretKey,
        omaVmId: env.world.omaVm.id,
      },
    });
    const settings = demoSettings(
      env.env({
        HTTP_LISTEN: options.httpListen,
        API_TOKEN: token,
        LOG_LEVEL: options.logLevel ?? 'warn',
        VOLUME_DAEMON_URL: volumeDaemon.url,
      }),
    );
    const extra = Object.fromEntries(
      Object.entries(options.overrides ?? {}).map(([path, value]) => [path, { flag: 'override', value }]),
    );
    const config = loadConfig({
      ...settings,
      ...(options.configFile ? { file: options.configFile } : {}),
      flags: { ...settings.flags, ...extra },
    });
    return {
      env,
      database,
      config,
      token,
      injected,
      volumeDaemon,
      close: async () => {
        await volumeDaemon?.close();
        await env.close();
        await database.close();
      },
    };
  } catch (e) {
    await volumeDaemon?.close();
    await env.close();
    await database.close();
    throw e;
  }
}
