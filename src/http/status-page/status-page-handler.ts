import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../config/config-schema.js';
import type { Engine } from '../../engine/engine.js';
import { listActions } from '../../engine/store/audit-log.js';
import type { StatusPageHandler } from '../status-page-placeholder.js';
import { renderStatusPage } from './render-status-page.js';
import { failedOperations } from './failed-operations.js';
import type { StatusPageData } from './status-page-data.js';

/** Assembles the page data from the engine's last pass and the audit log. */
export async function statusPageData(engine: Engine, config: Config, now: Date): Promise<StatusPageData> {
  const last = await engine.lastPass();
  const plan = engine.lastPlan();
  const actions = await listActions(engine.deps.database.db, 25);
  const sources = plan?.sources ?? {
    database: { complete: false, error: 'no pass yet' },
    cloudstack: { complete: false, error: 'no pass yet' },
    nbd: { complete: false, error: 'no pass yet' },
    devices: { complete: false, error: 'no pass yet' },
    'volume-daemon': { complete: false, error: 'no pass yet' },
  };
  return {
    generatedAt: now.toISOString(),
    mode: plan?.mode ?? config.mode,
    leader: last?.isLeader ?? false,
    sources,
    contexts: (last?.world.database.contexts ?? [])
      .map((c) => ({ contextId: c.contextId, vmName: c.vmName, status: c.currentStatus, currentJobId: c.currentJobId }))
      .sort((a, b) => a.vmName.localeCompare(b.vmName)),
    plan,
    failedOperations: last ? failedOperations(last.world, last.gated) : [],
    recentActions: actions.map((a) => ({
      id: a.id,
      at: a.createdAt,
      kind: a.kind,
      action: a.action,
      subject: a.subject.name ?? a.subject.id,
      outcome: a.outcome,
      error: a.error,
    })),
  };
}

/** `GET /`: the status page. */
export function statusPageHandler(engine: Engine, config: Config): StatusPageHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/' && path !== '/index.html')) return false;
    const html = renderStatusPage(await statusPageData(engine, config, engine.deps.clock()));
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Only our own inline script and style; nothing from elsewhere.
      'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'",
      'x-content-type-options': 'nosniff',
    });
    res.end(html);
    return true;
  };
}
