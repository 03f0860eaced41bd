import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { EnginePort } from '../reconcile/engine-port.js';
import type { ReconcilerMetrics } from '../metrics/registry.js';
import { apiRoutes } from './api-routes.js';
import { HttpError } from './http-error.js';
import { sendError } from './json-response.js';
import { probeRoutes } from './probe-routes.js';
import type { ReadinessSources } from './readiness.js';
import { DEFAULT_BODY_LIMIT } from './request-input.js';
import { matchPattern, type Route } from './route.js';
import { statusPagePlaceholder, type StatusPageHandler } from './status-page-placeholder.js';
import { listen } from '../listen.js';

/** What the HTTP server is built from. */
export interface HttpServerDeps {
  readonly listen: { readonly host: string; readonly port: number };
  readonly engine: EnginePort;
  readonly metrics: ReconcilerMetrics;
  readonly logger: Logger;
  readonly apiToken: string | undefined;
  readonly readiness: Omit<ReadinessSources, 'engine' | 'timeoutMs'> & { readonly timeoutMs?: number };
  /** Serves `GET /` (and any other unmatched GET); default: a placeholder page. */
  readonly statusPage?: StatusPageHandler;
  /** Request body limit, bytes. Default 16 KiB. */
  readonly bodyLimit?: number;
  /** Upper bound of `?wait=SECONDS`. Default 900. */
  readonly maxWaitSeconds?: number;
  /** Further routes (the operator console's), matched after the API routes. */
  readonly extraRoutes?: readonly Route[];
  /** Time open requests get after close() before their connections are cut, ms. Default 2000. */
  readonly closeGraceMs?: number;
}

/** A listening server. */
export interface HttpServerHandle {
  /** Where it listens (the real port when 0 was asked). */
  readonly address: { readonly host: string; readonly port: number };
  /** Stops accepting, aborts waiting requests, and resolves once every connection is closed. */
  close(): Promise<void>;
}

/** Starts the daemon's HTTP server with node:http (no framework); rejects when it cannot listen. */
export async function startHttpServer(deps: HttpServerDeps): Promise<HttpServerHandle> {
  const log = deps.logger;
  const shutdown = new AbortController();
  const routes: Route[] = [
    ...probeRoutes(deps.metrics, { engine: deps.engine, timeoutMs: 5_000, ...deps.readiness }),
    ...apiRoutes({
      engine: deps.engine,
      apiToken: deps.apiToken,
      bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
      maxWaitSeconds: deps.maxWaitSeconds ?? 900,
    }),
    ...(deps.extraRoutes ?? []),
  ];
  const statusPage = deps.statusPage ?? statusPagePlaceholder;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const segments = path.split('/').slice(1);
    const client = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) client.abort();
    });
    const signal = AbortSignal.any([client.signal, shutdown.signal]);
    try {
      if (!path.startsWith('/')) throw new HttpError(400, 'bad_request', 'request target must be an absolute path');
      let allowed: string[] = [];
      for (const route of routes) {
        const params = matchPattern(route.pattern, segments);
        if (params === null) continue;
        if (route.method !== method) {
          allowed.push(route.method);
          continue;
        }
        await route.handle({ req, res, params, query, signal });
        return;
      }
      allowed = [...new Set(allowed)];
      if (allowed.length > 0) {
        throw new HttpError(405, 'method_not_allowed', `use ${allowed.join(', ')}`, { allow: allowed.join(', ') });
      }
      if (method === 'GET' && (await statusPage(req, res))) return;
      throw new HttpError(404, 'not_found', 'no such route');
    } catch (e) {
      if (e instanceof HttpError) {
        sendError(res, e.status, e.code, e.message, e.headers);
        return;
      }
      // Internals (SQL, stack traces) stay in the log; the client gets a stable shape.
      log.error({ err: coerceError(e), method: req.method, path }, 'http handler failed');
      sendError(res, 500, 'internal', 'internal error; see the daemon log');
    }
  };

  const server = createServer({ headersTimeout: 10_000, requestTimeout: 60_000 }, (req, res) => {
    void handle(req, res);
  });
  const info = await listen(server, deps.listen.port, deps.listen.host);
  server.on('error', (e) => {
    log.error({ err: e }, 'http server error');
  });
  log.info({ host: info.address, port: info.port }, 'http server listening');

  let closing: Promise<void> | null = null;
  return {
    address: { host: info.address, port: info.port },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => {
          resolve();
        });
        server.closeIdleConnections();
        // Requests still open after the grace (a slow scrape, a waiting client) are cut.
        const timer = setTimeout(() => {
          server.closeAllConnections();
        }, deps.closeGraceMs ?? 2_000);
        timer.unref();
      });
      return closing;
    },
  };
}
