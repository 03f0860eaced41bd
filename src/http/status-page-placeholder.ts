import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from './json-response.js';

/**
 * Serves a GET that no API or probe route matched (`/` and whatever assets the status page needs).
 * Resolves true when it answered, false to let the server answer 404.
 */
export type StatusPageHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oma-reconciler</title></head>
<body>
<h1>oma-reconciler</h1>
<p>The status page is not part of this build yet. Machine-readable views:</p>
<ul>
<li><a href="/api/v1/plan">/api/v1/plan</a> (current drift and planned actions)</li>
<li><a href="/api/v1/actions?limit=50">/api/v1/actions</a> (recent actions)</li>
<li><a href="/readyz">/readyz</a> (readiness checks)</li>
<li><a href="/metrics">/metrics</a> (Prometheus)</li>
</ul>
</body></html>
`;

/** Placeholder for `GET /` until the status page handler is injected. */
export const statusPagePlaceholder: StatusPageHandler = (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/') return false;
  sendText(res, 200, 'text/html; charset=utf-8', PAGE);
  return true;
};
