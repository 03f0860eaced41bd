/**
 * The status page that degrades instead of failing (issue 15): when the full page cannot be built —
 * the database is down, a source is unreachable — `GET /` still answers 200 with a plain page that
 * shows the error and the last good plan with its age. `/readyz` keeps saying 503 on its own.
 * Kept apart from the page itself: it wraps whatever status page handler the daemon was given.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderPlanTable } from '../engine/plan-json.js';
import type { PlanJson } from '../reconcile/types.js';
import { coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { sendText } from './json-response.js';
import type { StatusPageHandler } from './status-page-placeholder.js';
import { escapeHtml } from './status-page/escape-html.js';

/** What the degraded page shows besides the error. */
export interface DegradedPageSources {
  /** The plan of the last pass that completed, or null. */
  readonly lastPlan: () => PlanJson | null;
  readonly now: () => Date;
  readonly logger?: Logger;
}

/** The degraded page (pure): the error, then the last good plan with its age, or that there is none. */
export function renderDegradedPage(error: string, plan: PlanJson | null, now: Date): string {
  const age = plan === null ? null : Math.max(0, Math.round((now.getTime() - Date.parse(plan.observedAt)) / 1000));
  const last =
    plan === null
      ? '<p>No pass has completed since the daemon started: there is no plan to show.</p>'
      : `<h2>Last good plan — observed ${escapeHtml(plan.observedAt)}, ${age ?? 0} s ago</h2>\n<pre>${escapeHtml(renderPlanTable(plan))}</pre>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oma-reconciler — degraded</title></head>
<body>
<h1>oma-reconciler — degraded</h1>
<p role="alert" data-testid="degraded-error">The status page cannot be built right now: ${escapeHtml(error)}</p>
${last}
<p>Machine-readable: <a href="/readyz">/readyz</a>, <a href="/metrics">/metrics</a>, <a href="/api/v1/plan">/api/v1/plan</a>.</p>
</body></html>
`;
}

/** Wraps `inner`: when it throws, answers the degraded page (200) instead of an internal error. */
export function degradedStatusPage(inner: StatusPageHandler, sources: DegradedPageSources): StatusPageHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      return await inner(req, res);
    } catch (e) {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || (path !== '/' && path !== '/index.html') || res.headersSent) throw e;
      const error = coerceError(e);
      sources.logger?.warn({ err: error }, 'status page degraded');
      sendText(
        res,
        200,
        'text/html; charset=utf-8',
        renderDegradedPage(error.message, sources.lastPlan(), sources.now()),
      );
      return true;
    }
  };
}
