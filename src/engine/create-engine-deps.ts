import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { CloudStackClient } from '../cloudstack/cloudstack-client.js';
import type { CloudStackMetrics } from '../cloudstack/cloudstack-metrics.js';
import { resolveCloudStackSettings } from '../cloudstack/resolve-settings.js';
import type { Config } from '../config/config-schema.js';
import type { Database } from '../db/connect.js';
import { readOsseaConfig } from '../db/queries/read-ossea-config.js';
import type { Logger } from '../log.js';
import { NbdExportManager } from '../nbd/nbd-export-manager.js';
import { NbdVersionCache } from '../nbd/server-version.js';
import type { WorkflowPort } from './actuators/actuator-context.js';
import type { EngineDeps } from './engine-deps.js';
import { volumeDaemonFacts } from '../volume-ops/choose-writer.js';
import { resolveVolumeDaemon, type ResolveVolumeDaemonOptions } from '../volume-daemon/resolve-volume-daemon.js';

/** Options of {@link createEngineDeps} beyond the configuration. */
export interface CreateEngineDepsOptions {
  readonly config: Config;
  readonly database: Database;
  readonly logger: Logger;
  readonly workflows: WorkflowPort;
  readonly actor: string;
  readonly cloudstackMetrics?: CloudStackMetrics;
  readonly clock?: () => Date;
  /** Test seam: Volume Daemon client options (fast polling). */
  readonly volumeDaemonTuning?: ResolveVolumeDaemonOptions;
  /** Test seam: CloudStack client options (fast polling, retries). */
  readonly cloudstackTuning?: Partial<ConstructorParameters<typeof CloudStackClient>[0]>;
}

/**
 * Wires the engine's dependencies from the configuration: the CloudStack client is resolved from
 * the active `ossea_configs` row (environment overrides win) at each pass and reused while the
 * settings do not change, as the appliance's own components read that row per operation.
 */
export function createEngineDeps(options: CreateEngineDepsOptions): EngineDeps {
  const { config, database, logger } = options;
  const clock = options.clock ?? (() => new Date());
  let cached: { key: string; client: CloudStackClient; omaVmId: string | null } | null = null;
  const cloudstack = async () => {
    const row = await readOsseaConfig(database.db);
    const settings = resolveCloudStackSettings(
      config,
      row && { api_url: row.apiUrl, api_key: row.apiKey, secret_key: row.secretKey, oma_vm_id: row.omaVmId },
    );
    const key = createHash('sha256')
      .update(`${settings.apiUrl}\0${settings.apiKey}\0${settings.secretKey}`)
      .digest('hex');
    if (cached?.key !== key) {
      cached = {
        key,
        omaVmId: settings.omaVmId,
        client: new CloudStackClient({
          apiUrl: settings.apiUrl,
          apiKey: settings.apiKey,
          secretKey: settings.secretKey,
          pageSize: config.cloudstack.pageSize,
          requestTimeoutMs: config.cloudstack.requestTimeoutMs,
          asyncJobTimeoutMs: config.cloudstack.asyncJobTimeoutMs,
          concurrency: config.cloudstack.concurrency,
          logger: logger.child({ component: 'cloudstack' }),
          ...(options.cloudstackMetrics ? { metrics: options.cloudstackMetrics } : {}),
          ...options.cloudstackTuning,
        }),
      };
    }
    return { client: cached.client, omaVmId: settings.omaVmId };
  };
  const versions = new NbdVersionCache();
  const nbdPaths = {
    baseConfig: config.nbd.baseConfig,
    confDir: config.nbd.confDir,
    pidFile: config.nbd.pidFile,
    address: config.nbd.address,
    stateDir: config.stateDir,
  };
  const nbd = new NbdExportManager({
    ...nbdPaths,
    startCommand: config.nbd.startCommand,
    restartCommand: config.nbd.restartCommand,
    allowClients: config.nbd.allowClients,
    versions,
    clock,
    logger: logger.child({ component: 'nbd' }),
  });
  const volumeDaemon = () => resolveVolumeDaemon(config, options.volumeDaemonTuning);
  return {
    config,
    database,
    logger,
    volumeDaemon,
    observe: {
      db: database.db,
      cloudstack,
      nbd: { ...nbdPaths, versions },
      deviceByIdDir: config.deviceByIdDir,
      clock,
      volumeDaemon: async () => volumeDaemonFacts(config, await volumeDaemon()),
    },
    cloudstack,
    nbd,
    workflows: options.workflows,
    clock,
    actor: options.actor,
    hostname: hostname(),
  };
}
