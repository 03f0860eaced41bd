/**
 * Decides whether volume operations go through the Volume Daemon, from `volumeDaemon.mode` and one
 * root `/health` probe: `auto` uses it when it answers healthy, else acts directly; `required`
 * without an answer is `unavailable` (volume actions must be blocked); `off` never probes.
 */
import type { Config } from '../config/config-schema.js';
import type { Clock } from './clock.js';
import { VolumeDaemonClient } from './volume-daemon-client.js';
import type { DaemonHealth } from './types.js';

/** The outcome: which path volume operations take, and why. */
export type VolumeDaemonResolution =
  | { readonly mode: 'daemon'; readonly client: VolumeDaemonClient; readonly health: DaemonHealth }
  | { readonly mode: 'direct'; readonly reason: string }
  | { readonly mode: 'unavailable'; readonly reason: string };

/** Options of {@link resolveVolumeDaemon}. */
export interface ResolveVolumeDaemonOptions {
  /** Timeout of the `/health` probe, ms. Default 2000. */
  readonly probeTimeoutMs?: number;
  /** Request timeout of the returned client, ms. Default 30000. */
  readonly requestTimeoutMs?: number;
  /** Poll interval of the returned client's `waitForOperation`, ms. Default 2000. */
  readonly pollIntervalMs?: number;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
}

/** Probes the configured daemon once and says how to proceed. Never throws for an unreachable daemon. */
export async function resolveVolumeDaemon(
  config: Pick<Config, 'volumeDaemon'>,
  options: ResolveVolumeDaemonOptions = {},
): Promise<VolumeDaemonResolution> {
  const { url, mode } = config.volumeDaemon;
  if (mode === 'off') {
    return {
      mode: 'direct',
      reason: 'volumeDaemon.mode is off (VOLUME_DAEMON_MODE=off): the Volume Daemon is not used',
    };
  }
  const shared = {
    url,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const probe = new VolumeDaemonClient({ ...shared, requestTimeoutMs: options.probeTimeoutMs ?? 2_000 });
  let problem: string;
  try {
    const health = await probe.health(options.signal);
    if (health.status === 'healthy') {
      const client = new VolumeDaemonClient({
        ...shared,
        ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
        ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
      });
      return { mode: 'daemon', client, health };
    }
    problem = `GET /health at ${url} answered status ${JSON.stringify(health.status)}, not "healthy"`;
  } catch (e) {
    if (options.signal?.aborted) throw e;
    problem = (e as Error).message;
  }
  return mode === 'required'
    ? { mode: 'unavailable', reason: `volumeDaemon.mode is required but the Volume Daemon does not answer: ${problem}` }
    : {
        mode: 'direct',
        reason: `volumeDaemon.mode is auto and the Volume Daemon does not answer (acting directly): ${problem}`,
      };
}
