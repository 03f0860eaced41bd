import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../config/config-schema.js';
import { QUARANTINE_TAG } from '../../../reconcilers/lib/names.js';
import type { Engine } from '../../engine/engine.js';
import { listActions, reversibleActionIds } from '../../engine/store/audit-log.js';
import type { StatusPageHandler } from '../status-page-placeholder.js';
import { buildPageData } from './build-page-data.js';
import type { ConsoleState } from './console-state.js';
import { renderSections, renderStatusPage } from './render-status-page.js';
import type { StatusPageData } from './status-page-data.js';

/** Recent actions the page lists. */
const RECENT_ACTIONS = 25;

/** Reads what the page needs (last pass, audit log) and assembles it. */
export async function statusPageData(
  engine: Engine,
  config: Config,
  state: ConsoleState,
  view: { query: string; page: number },
): Promise<StatusPageData> {
  const last = await engine.lastPass();
  const db = engine.deps.database.db;
  const quarantined = (last?.world.cloudstack.volumes ?? [])
    .filter((v) => v.tags[QUARANTINE_TAG] !== undefined)
    .map((v) => v.id);
  const [actions, keep] = await Promise.all([
    listActions(db, RECENT_ACTIONS),
    reversibleActionIds(db, 'quarantine-volume', quarantined),
  ]);
  return buildPageData({
    config,
    state,
    world: last?.world ?? null,
    gated: last?.gated ?? [],
    plan: engine.lastPlan(),
    isLeader: last?.isLeader ?? false,
    recentActions: actions,
    quarantineActions: keep,
    query: view.query.slice(0, 200),
    page: view.page,
  });
}

// Only our own inline script and style; nothing from elsewhere.
const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function send(res: ServerResponse, status: number, body: string, extra: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(body);
}

/**
 * `GET /`: the status page; `GET /status/sections`: its live sections as a fragment, with an ETag
 * so the page's once-a-second poll costs a 304 while nothing changed.
 */
export function statusPageHandler(engine: Engine, config: Config, state: ConsoleState): StatusPageHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://status.invalid');
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path !== '/' && path !== '/index.html' && path !== '/status/sections') return false;
    const pageParam = Number(url.searchParams.get('page') ?? '1');
    const view = {
      query: url.searchParams.get('q') ?? '',
      page: Number.isInteger(pageParam) && pageParam > 0 ? pageParam : 1,
    };
    const data = await statusPageData(engine, config, state, view);
    if (path !== '/status/sections') {
      send(res, 200, renderStatusPage(data));
      return true;
    }
    const body = renderSections(data);
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag, 'cache-control': 'no-cache' });
      res.end();
      return true;
    }
    send(res, 200, body, { etag });
    return true;
  };
}
