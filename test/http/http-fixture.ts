import type { DaemonState } from '../../src/reconcile/daemon-status.js';
import type { LeadershipStatus } from '../../src/reconcile/daemon-status.js';
import { startHttpServer, type HttpServerDeps, type HttpServerHandle } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { createMetrics, type ReconcilerMetrics } from '../../src/metrics/registry.js';
import { FakeEngine } from '../daemon/fake-engine.js';

/** The token the tests configure (≥ 16 characters, as the config schema requires). */
export const TOKEN = 'test-token-0123456789abcdef';

/** A started HTTP server over a fake engine, with knobs for readiness. */
export interface HttpFixture {
  readonly engine: FakeEngine;
  readonly metrics: ReconcilerMetrics;
  readonly server: HttpServerHandle;
  readonly url: (path: string) => string;
  lifecycle: DaemonState;
  leadership: LeadershipStatus;
}

/** Starts a server on a free port (`apiToken` default {@link TOKEN}; pass null for none). */
export async function startFixture(
  opts: { apiToken?: string | null; extra?: Partial<HttpServerDeps> } = {},
): Promise<HttpFixture> {
  const engine = new FakeEngine();
  const metrics = createMetrics({ version: '0.0.0-test' });
  const fixture = {
    engine,
    metrics,
    lifecycle: 'running' as DaemonState,
    leadership: { leader: true, connected: true, connectionId: 1, lastError: null } as LeadershipStatus,
  };
  const server = await startHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    engine,
    metrics,
    logger: createLogger('silent'),
    apiToken: opts.apiToken === null ? undefined : (opts.apiToken ?? TOKEN),
    readiness: { lifecycle: () => fixture.lifecycle, leadership: () => fixture.leadership },
    ...opts.extra,
  });
  return Object.assign(fixture, {
    server,
    url: (path: string) => `http://127.0.0.1:${server.address.port}${path}`,
  });
}

/** Engine calls recorded by the fake, by method name. */
export function callsOf(engine: FakeEngine, method: string): unknown[][] {
  return engine.calls.filter((c) => c.method === method).map((c) => c.args);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON shapes
type Json = any;

/** The response body parsed as JSON, typed loosely for assertions. */
export async function readJson(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}
