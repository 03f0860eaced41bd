import { configSchema, type Config, type ConfigInput } from '../../src/config/config-schema.js';

/** What a process needs to point oma-reconciler at a benchmark appliance (JSON-safe, sent over IPC). */
export interface ApplianceHandle {
  readonly databaseUrl: string;
  readonly baseConfig: string;
  readonly confDir: string;
  readonly pidFile: string;
  readonly byIdDir: string;
  readonly stateDir: string;
  readonly nbdPort: number;
  /** `http://127.0.0.1:<port>` of the simulator (admin routes under `/sim/`). */
  readonly simBaseUrl: string;
  /** The Volume Daemon simulator playing the appliance's daemon (found by `auto`). */
  readonly volumeDaemonUrl: string;
}

/**
 * The configuration of a reconciler watching the appliance, through the same schema (and defaults)
 * as `run`; `extra` adds what a benchmark tunes (mode, budget, schedule).
 */
export function benchConfig(appliance: ApplianceHandle, extra: Partial<ConfigInput> = {}): Config {
  return configSchema.parse({
    databaseUrl: appliance.databaseUrl,
    nbd: {
      baseConfig: appliance.baseConfig,
      confDir: appliance.confDir,
      pidFile: appliance.pidFile,
      address: `127.0.0.1:${appliance.nbdPort}`,
      ...extra.nbd,
    },
    deviceByIdDir: appliance.byIdDir,
    stateDir: appliance.stateDir,
    logLevel: 'silent',
    volumeDaemon: { url: appliance.volumeDaemonUrl, mode: 'auto' },
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'nbd')),
  });
}
