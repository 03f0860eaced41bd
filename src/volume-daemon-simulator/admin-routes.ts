/**
 * Unsigned admin routes of the simulator (not part of the real daemon), like the CloudStack
 * simulator's `/sim/*`: read and switch faults, read the counters — for a simulator running as a
 * separate process (demo, benchmark).
 */
import { InvalidInputError } from '../errors.js';
import { resolveFaults, type FaultSwitches } from './faults.js';
import type { RouteAnswer } from './routes.js';

export interface AdminDeps {
  readonly faults: FaultSwitches;
  readonly stats: unknown;
}

/** Answers `/sim/faults` (GET, POST `{"<fault>": bool, …}`) and `/sim/stats` (GET); null for other paths. */
export function adminRoute(deps: AdminDeps, method: string, path: string, body: string): RouteAnswer | null {
  if (path === '/sim/stats' && method === 'GET') return { status: 200, body: deps.stats };
  if (path !== '/sim/faults') return null;
  if (method === 'GET') return { status: 200, body: deps.faults };
  if (method !== 'POST') return { status: 404, body: undefined };
  let changes: unknown;
  try {
    changes = JSON.parse(body);
  } catch (e) {
    return { status: 400, body: { error: `invalid request body: ${(e as Error).message}` } };
  }
  if (
    typeof changes !== 'object' ||
    changes === null ||
    Array.isArray(changes) ||
    Object.values(changes).some((v) => typeof v !== 'boolean')
  ) {
    return { status: 400, body: { error: 'expected {"<fault>": true|false, …}' } };
  }
  try {
    resolveFaults(changes);
  } catch (e) {
    if (e instanceof InvalidInputError) return { status: 400, body: { error: e.message } };
    throw e;
  }
  Object.assign(deps.faults, changes);
  return { status: 200, body: deps.faults };
}
