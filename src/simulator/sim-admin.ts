/**
 * The simulator's admin endpoints (unsigned; the simulator listens on 127.0.0.1 only):
 * `GET|POST|DELETE /sim/faults`, `GET|DELETE /sim/stats`, `GET|POST /sim/config`,
 * `POST /sim/seed`, `GET /sim/state`.
 */
import { z } from 'zod';
import { coerceError } from '../errors.js';
import type { SimConfig } from './sim-config.js';
import { faultRequestSchema, type SimFaults } from './sim-faults.js';
import type { SimJobs } from './sim-jobs.js';
import type { SimSeed, SimState } from './sim-state.js';
import type { SimStats } from './sim-stats.js';

export interface AdminDeps {
  readonly state: SimState;
  readonly faults: SimFaults;
  readonly config: SimConfig;
  readonly stats: SimStats;
  readonly jobs: SimJobs;
}

const configPatch = z.strictObject({
  asyncJobDurationMs: z.number().int().min(0).optional(),
  snapshotBackupDelayMs: z.number().int().min(0).optional(),
  jobExpiryMs: z.number().int().min(0).optional(),
  expungeDelayMs: z.number().int().min(0).optional(),
  maxDataDisks: z.number().int().min(1).optional(),
  maxPageSize: z.number().int().min(1).optional(),
});

/** An admin answer: status and JSON body. */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Routes `/sim/...`; `body` is the request body text (empty for GET/DELETE). */
export function handleAdminRequest(deps: AdminDeps, method: string, url: URL, body: string): AdminAnswer {
  try {
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case 'GET /sim/faults':
        return { status: 200, body: deps.faults.list() };
      case 'POST /sim/faults': {
        const { command, ...rule } = faultRequestSchema.parse(JSON.parse(body));
        deps.faults.set(command, rule);
        return { status: 200, body: deps.faults.list() };
      }
      case 'DELETE /sim/faults':
        deps.faults.clear(url.searchParams.get('command') ?? undefined);
        return { status: 200, body: deps.faults.list() };
      case 'GET /sim/stats':
        return { status: 200, body: deps.stats.toJSON() };
      case 'DELETE /sim/stats':
        deps.stats.reset();
        return { status: 200, body: deps.stats.toJSON() };
      case 'GET /sim/config':
        return { status: 200, body: deps.config };
      case 'POST /sim/config': {
        const patch = configPatch.parse(JSON.parse(body));
        for (const [k, v] of Object.entries(patch)) if (v !== undefined) deps.config[k as keyof SimConfig] = v;
        return { status: 200, body: deps.config };
      }
      case 'POST /sim/seed':
        return { status: 200, body: deps.state.seed(JSON.parse(body) as SimSeed) };
      case 'GET /sim/state':
        return {
          status: 200,
          body: { defaults: deps.state.defaults, counts: deps.state.counts(), pendingJobs: deps.jobs.pendingCount() },
        };
      default:
        return { status: 404, body: { error: `no admin route ${route}` } };
    }
  } catch (e) {
    return { status: 400, body: { error: coerceError(e).message } };
  }
}
