/**
 * A CloudStack API simulator on node:http: signed `/client/api` (GET and form POST) plus the
 * `/sim/*` admin endpoints. Faithful to the wire facts in shared docs cloudstack-api.md.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { commandTable } from './commands/command-table.js';
import { handleAdminRequest } from './sim-admin.js';
import { handleApiRequest } from './sim-api.js';
import { defaultSimConfig, type SimConfig } from './sim-config.js';
import { SimFaults } from './sim-faults.js';
import { SimJobs } from './sim-jobs.js';
import { ListCache } from './list-cache.js';
import { SimState, type SimSeed } from './sim-state.js';
import { SimStats } from './sim-stats.js';
import { closeServer, listen } from '../listen.js';

export interface SimulatorOptions {
  /** Default 0 (a free port). */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default: random keys (printed by the CLI). */
  readonly apiKey?: string;
  readonly secretKey?: string;
  readonly config?: Partial<SimConfig>;
  /** Bulk state loaded before the server listens. */
  readonly seed?: SimSeed;
  /** Creates the appliance's own VM (Running, with a ROOT volume) before the seed; its id is `omaVmId`. */
  readonly omaVm?: { readonly name: string; readonly id?: string };
  /** The server clock (signature expiry, job expiry), epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Randomness of fault rates. Default `Math.random`. */
  readonly random?: () => number;
}

/** A running simulator. */
export interface Simulator {
  /** The API endpoint, `http://127.0.0.1:<port>/client/api`. */
  readonly url: string;
  /** `http://127.0.0.1:<port>` (admin routes live under `/sim/`). */
  readonly baseUrl: string;
  readonly port: number;
  readonly apiKey: string;
  readonly secretKey: string;
  /** The VM created by the `omaVm` option, or null. */
  readonly omaVmId: string | null;
  readonly state: SimState;
  readonly faults: SimFaults;
  /** Mutable run-time settings (job duration, snapshot delay, job expiry…). */
  readonly config: SimConfig;
  readonly stats: SimStats;
  /** The job table: `completeNow(jobId)` and `runFollowUpsNow()` let tests pick the moment things happen. */
  readonly jobs: SimJobs;
  /** Stops listening, drops hanging requests and cancels job timers. */
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `text` as a raw header value: characters a header cannot carry (controls, beyond Latin-1) become `?`. */
function headerText(text: string): string {
  return text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

/** Starts a simulator; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const config: SimConfig = { ...defaultSimConfig(), ...options.config };
  const state = new SimState(now);
  const apiKey = options.apiKey ?? randomBytes(32).toString('base64url');
  const secretKey = options.secretKey ?? randomBytes(32).toString('base64url');
  state.addApiUser({ apiKey, secretKey, account: state.defaults.account, admin: true });
  const omaVm = options.omaVm
    ? state.addVirtualMachine({
        name: options.omaVm.name,
        ...(options.omaVm.id !== undefined ? { id: options.omaVm.id } : {}),
      })
    : null;
  if (options.seed) state.seed(options.seed);
  const faults = new SimFaults(options.random);
  const jobs = new SimJobs(config, now);
  const stats = new SimStats();
  const deps = { state, jobs, faults, config, stats, cache: new ListCache(), commands: commandTable(), now };
  const closing = new AbortController();
  const hanging = new Set<ServerResponse>();

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const body = req.method === 'POST' ? await readBody(req) : '';
    if (url.pathname.startsWith('/sim/')) {
      const answer = handleAdminRequest(deps, req.method ?? 'GET', url, body);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      return;
    }
    if (url.pathname !== '/client/api' && url.pathname !== '/client/api/') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // Query first, then the form body; a repeated name keeps its last value, as the servlet does.
    const raw = new Map<string, string>(url.searchParams);
    if (req.method === 'POST') for (const [k, v] of new URLSearchParams(body)) raw.set(k, v);
    const answer = await handleApiRequest(deps, raw, closing.signal);
    if (answer.hang) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const headers: Record<string, string> = { 'content-type': answer.contentType };
    // CloudStack sends the error text raw; only what an HTTP header cannot carry is replaced.
    if (answer.description !== undefined) headers['x-description'] = headerText(answer.description);
    res.writeHead(answer.status, headers).end(answer.body);
  };

  const server = createServer((req, res) => {
    serve(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(e instanceof Error ? e.message : 'error');
    });
  });
  const { port } = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url: `${baseUrl}/client/api`,
    baseUrl,
    port,
    apiKey,
    secretKey,
    omaVmId: omaVm?.id ?? null,
    state,
    faults,
    config,
    stats,
    jobs,
    close: async () => {
      closing.abort();
      jobs.close();
      for (const res of hanging) res.destroy();
      await closeServer(server);
    },
  };
}
