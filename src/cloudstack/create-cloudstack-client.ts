/** Builds the daemon's CloudStack client from resolved settings and the `cloudstack` config block. */
import type { Config } from '../config/config-schema.js';
import { CloudStackClient } from './cloudstack-client.js';
import type { CloudStackMetrics } from './cloudstack-metrics.js';
import type { CloudStackSettings } from './resolve-settings.js';
import type { CloudStackLogger } from './types.js';

/** Ports the composition root injects. */
export interface CloudStackClientDeps {
  readonly metrics?: CloudStackMetrics;
  readonly logger?: CloudStackLogger;
}

/**
 * The client with the configured page size, request and job timeouts and concurrency
 * (`cloudstack.pageSize`, `requestTimeoutMs`, `asyncJobTimeoutMs`, `concurrency`).
 */
export function createCloudStackClient(
  settings: CloudStackSettings,
  config: Config['cloudstack'],
  deps: CloudStackClientDeps = {},
): CloudStackClient {
  return new CloudStackClient({
    apiUrl: settings.apiUrl,
    apiKey: settings.apiKey,
    secretKey: settings.secretKey,
    pageSize: config.pageSize,
    requestTimeoutMs: config.requestTimeoutMs,
    asyncJobTimeoutMs: config.asyncJobTimeoutMs,
    concurrency: config.concurrency,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}
