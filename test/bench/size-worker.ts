/**
 * One fleet size, in a fresh process so its peak RSS is the reconciler's alone: forks the appliance
 * host, wires the engine exactly as `run` does (recording SQL and CloudStack requests on the way),
 * settles it with one pass that records (ledger, first-seen times), records the requests of one
 * `planPass`, then alternates the I/O floor (replayed by `floor-worker`, a separate process, so its
 * garbage is not counted here) and `planPass`, and prints one JSON line (`BENCH_RESULT {...}`).
 *
 *   node --import tsx test/bench/size-worker.ts --vms 10000 [--runs 5]
 */
import { parseArgs } from 'node:util';
import { connectDatabase } from '../../src/db/connect.js';
import { IDLE_RELEASE_DELAY_MS, releaseIdleHeap, tuneHeapForPasses } from '../../src/daemon/heap-tuning.js';
import { startAnnotationPoll } from '../../src/daemon/trigger-sources.js';
import { createEngine } from '../../src/engine/engine.js';
import { createEngineDeps } from '../../src/engine/create-engine-deps.js';
import { planPass, runPass } from '../../src/engine/run-pass.js';
import { createLogger } from '../../src/log.js';
import { createWorkflows } from '../../src/workflows/index.js';
import { startApplianceHost } from './appliance-host-client.js';
import { benchConfig } from './bench-config.js';
import { printResult } from './bench-result.js';
import { startFloorWorker } from './floor-worker-client.js';
import type { FloorPlan } from './io-floor.js';
import { recordingDatabase } from './recording-database.js';
import { recordingFetch } from './recording-fetch.js';
import { median, round, timed } from './stats.js';

/** How long after the heap release the worker samples its early idle RSS. */
const IDLE_SAMPLE_MS = 2_000;
/**
 * When the worker samples its settled idle RSS, after the heap release. V8's memory reducer runs
 * ~8 s into an idle spell and hands back what the release kept committed (benchmark, 1,000 VMs: 137
 * → 102 MB); the daemon's passes are a minute apart, so this is where it spends most of its time.
 */
const IDLE_SETTLED_MS = 15_000;

const { values } = parseArgs({ options: { vms: { type: 'string' }, runs: { type: 'string' } } });
const vms = Number(values.vms);
const runs = Number(values.runs ?? 5);
if (!Number.isInteger(vms) || vms < 1 || !Number.isInteger(runs) || runs < 1) {
  throw new RangeError('usage: size-worker --vms N [--runs K]');
}

// The heap policy `run` applies (node options: the unit's, passed by run.ts).
tuneHeapForPasses();
const host = await startApplianceHost(vms);
const database = connectDatabase(host.handle.databaseUrl, { connectionLimit: 8 });
const recorded = recordingDatabase(database);
const requests = recordingFetch();
const config = benchConfig(host.handle);
const deps = createEngineDeps({
  config,
  database: recorded,
  logger: createLogger('silent'),
  workflows: createWorkflows(),
  actor: 'bench',
  cloudstackTuning: { fetch: requests.fetch },
});
const options = (passId: string) => ({
  passId,
  signal: AbortSignal.timeout(config.schedule.passTimeoutMs),
  act: false,
  isLeader: true,
  fence: () => Promise.resolve(false),
});
const simRequests = async (): Promise<number> => {
  const read = async () =>
    ((await (await fetch(`${host.handle.simBaseUrl}/sim/stats`)).json()) as { total: number }).total;
  // A pooled keep-alive socket the simulator closed as this request went out ("other side closed",
  // seen after a 50,000-VM pass): the read is idempotent, so once more on a fresh socket.
  return read().catch(read);
};

try {
  // Steady state of a running daemon: the ledger and first-seen times already recorded.
  await runPass(deps, options('settle'));
  // What an idle daemon pass costs once the records are settled (runPass also writes, when needed).
  recorded.take();
  requests.take();
  await runPass(deps, options('idle'));
  const idleStatements = recorded.take().reduce((n, session) => n + session.length, 0);
  const idleRequests = requests.take().requests;
  // Like the engine, this process keeps the last pass's result, and releases it when the next starts.
  let last: Awaited<ReturnType<typeof planPass>> | null = await planPass(deps, options('probe'));
  const floor: FloorPlan = {
    sqlSessions: recorded.take(),
    listings: requests.take().listings,
    nbd: {
      ...config.nbd,
      stateDir: config.stateDir,
      authfiles: last.world.nbd.configured.flatMap((e) => (e.authfile ? [e.authfile] : [])),
    },
    byIdDir: config.deviceByIdDir,
    volumeDaemonUrl: config.volumeDaemon.mode === 'off' ? null : config.volumeDaemon.url,
  };
  const floorWorker = await startFloorWorker(floor, host.handle);
  const pass: { wall: number; cpu: number }[] = [];
  const bare: { wall: number; cpu: number }[] = [];
  let statements = 0;
  let csRequests = 0;
  let csLookups = 0;
  let serverRequests = 0;
  for (let i = 0; i < runs; i++) {
    const f = await floorWorker.run();
    bare.push({ wall: f.wallSeconds, cpu: f.cpuSeconds });
    recorded.take();
    requests.take();
    const before = await simRequests();
    last = null;
    const p = await timed(() => planPass(deps, options(`bench-${i}`)));
    last = p.value;
    serverRequests = (await simRequests()) - before;
    statements = recorded.take().reduce((n, session) => n + session.length, 0);
    ({ requests: csRequests, lookups: csLookups } = requests.take());
    pass.push({ wall: p.wallSeconds, cpu: p.cpuSeconds });
  }
  await floorWorker.close();
  // Between passes the daemon holds the last pass, polls for cleanup annotations and, once idle,
  // compacts its heap (`run` does this after every pass): what it costs then.
  const engine = createEngine(deps);
  const stopPoll = startAnnotationPoll({
    intervalMs: config.schedule.annotationPollMs,
    hasNewAnnotations: () => engine.hasNewAnnotations(),
    logger: createLogger('silent'),
    fire: () => undefined,
  });
  await new Promise((resolve) => setTimeout(resolve, IDLE_RELEASE_DELAY_MS));
  releaseIdleHeap();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
  const idleRssEarlyMb = round(process.memoryUsage().rss / 2 ** 20, 1);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLED_MS - IDLE_SAMPLE_MS));
  const idleRssMb = round(process.memoryUsage().rss / 2 ** 20, 1);
  await stopPoll();
  const cs = last.world.cloudstack;
  const pages = [cs.volumes.length, cs.snapshots.length, cs.virtualMachines.length].reduce(
    (n, c) => n + Math.max(1, Math.ceil(c / config.cloudstack.pageSize)),
    0,
  );
  const driftByKind: Record<string, number> = {};
  for (const d of last.gated) driftByKind[d.kind] = (driftByKind[d.kind] ?? 0) + 1;
  const passSeconds = median(pass.map((r) => r.wall));
  const floorSeconds = median(bare.map((r) => r.wall));
  const result = {
    vms,
    passSeconds: round(passSeconds),
    passCpuSeconds: round(median(pass.map((r) => r.cpu))),
    floorSeconds: round(floorSeconds),
    floorCpuSeconds: round(median(bare.map((r) => r.cpu))),
    ratio: round(passSeconds / floorSeconds),
    cloudstackRequests: csRequests,
    cloudstackRequestsSeenBySimulator: serverRequests,
    cloudstackPages: pages,
    cloudstackAbsenceLookups: csLookups,
    sqlStatements: statements,
    sqlStatementsIdleRunPass: idleStatements,
    cloudstackRequestsIdleRunPass: idleRequests,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
    idleRssMb,
    idleRssEarlyMb,
    runs,
    passRunsSeconds: pass.map((r) => round(r.wall)),
    floorRunsSeconds: bare.map((r) => round(r.wall)),
    inventory: Object.fromEntries(Object.entries(last.world.sources).map(([k, s]) => [k, s.inventory])),
    sourcesComplete: Object.values(last.world.sources).every((s) => s.complete),
    drift: last.gated.length,
    driftByKind,
    injected: host.injected,
    buildSeconds: round(host.buildSeconds, 1),
  };
  printResult(result);
} finally {
  await recorded.close();
  await host.close();
}
