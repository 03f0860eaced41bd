import type { ReconcilerMetrics } from '../metrics/registry.js';
import { sendJson, sendText } from './json-response.js';
import { computeReadiness, type ReadinessSources } from './readiness.js';
import type { Route } from './route.js';

/** `GET /metrics` (the daemon's own registry), `GET /healthz` (process alive) and `GET /readyz` (named checks). */
export function probeRoutes(metrics: ReconcilerMetrics, readiness: ReadinessSources): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/metrics',
      handle: async ({ res }) => {
        sendText(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
      },
    },
    {
      method: 'GET',
      pattern: '/healthz',
      // Liveness only: answering at all proves the event loop turns. Dependencies belong to /readyz,
      // otherwise a database outage would make a supervisor restart a healthy daemon in a loop.
      handle: ({ res }) => {
        sendJson(res, 200, { status: 'ok' });
      },
    },
    {
      method: 'GET',
      pattern: '/readyz',
      handle: async ({ res, query }) => {
        const exclude = new Set(query.getAll('exclude').flatMap((v) => v.split(',')));
        const report = await computeReadiness(readiness, exclude);
        sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report });
      },
    },
  ];
}
