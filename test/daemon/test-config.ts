import { configSchema, type Config, type ConfigInput } from '../../src/config/config-schema.js';

/**
 * A configuration for in-process daemon tests: HTTP on a free port, a resync schedule that never
 * fires during a test (1 January, midnight), no jitter, fast annotation polling.
 */
export function testConfig(overrides: Partial<ConfigInput> = {}): Config {
  const { schedule, ...rest } = overrides;
  return configSchema.parse({
    httpListen: '127.0.0.1:0',
    ...rest,
    schedule: { resyncCron: '0 0 1 1 *', jitterMs: 0, annotationPollMs: 20, shutdownGraceMs: 10_000, ...schedule },
  });
}
