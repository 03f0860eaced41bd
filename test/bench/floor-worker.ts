/**
 * Child process that replays a pass's I/O floor on command, so the floor's own allocations (every
 * row parsed, every page parsed) never count in the reconciler's peak RSS. Started with IPC by
 * `size-worker.ts`: `{ type: 'init', plan, handle }` → `{ type: 'ready' }`; `{ type: 'run' }` →
 * `{ type: 'done', wallSeconds, cpuSeconds }`; `{ type: 'close' }` ends it.
 */
import { connectDatabase } from '../../src/db/connect.js';
import { createEngineDeps } from '../../src/engine/create-engine-deps.js';
import { createLogger } from '../../src/log.js';
import { createWorkflows } from '../../src/workflows/index.js';
import { benchConfig, type ApplianceHandle } from './bench-config.js';
import { replayFloor, type FloorPlan } from './io-floor.js';
import { timed } from './stats.js';

/** Messages to the floor worker. */
export type FloorRequest =
  | { readonly type: 'init'; readonly plan: FloorPlan; readonly handle: ApplianceHandle }
  | { readonly type: 'run' }
  | { readonly type: 'close' };
/** Messages from the floor worker. */
export type FloorReply =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly wallSeconds: number; readonly cpuSeconds: number }
  | { readonly type: 'error'; readonly message: string };

let state: { plan: FloorPlan; run: () => Promise<void>; close: () => Promise<void> } | null = null;

function reply(message: FloorReply): void {
  if (process.connected) process.send?.(message);
}

async function handle(m: FloorRequest): Promise<void> {
  if (m.type === 'init') {
    const config = benchConfig(m.handle);
    const database = connectDatabase(m.handle.databaseUrl, { connectionLimit: 8 });
    // The same client the engine builds: settings from the active ossea_configs row, same options.
    const deps = createEngineDeps({
      config,
      database,
      logger: createLogger('silent'),
      workflows: createWorkflows(),
      actor: 'bench-floor',
    });
    const { client } = await deps.cloudstack();
    state = { plan: m.plan, run: () => replayFloor(m.plan, database.pool, client), close: () => database.close() };
    reply({ type: 'ready' });
  } else if (m.type === 'run') {
    if (!state) throw new Error('floor worker not initialised');
    const { wallSeconds, cpuSeconds } = await timed(state.run);
    reply({ type: 'done', wallSeconds, cpuSeconds });
  } else {
    process.disconnect();
  }
}

// Orphaned (the measuring process died): close the pool and go, so nothing keeps running.
process.on('disconnect', () => {
  void (state?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});

process.on('message', (m: FloorRequest) => {
  handle(m).catch((e: unknown) => {
    reply({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  });
});
