/**
 * Repair throughput: `--snapshots` orphan failover snapshots (default 2,000) on volumes of an
 * appliance of `--vms` contexts, each delete an async job the simulator keeps pending 250 ms; one
 * acting pass (`runPass`, grace overridden to 0 like `apply --grace-seconds 0`, budget raised in
 * config) against the floor `snapshots × 0.25 s / cloudstack.concurrency`.
 *
 *   node --import tsx test/bench/repair-worker.ts [--vms 1200] [--snapshots 2000] [--concurrency 16]
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { connectDatabase } from '../../src/db/connect.js';
import { createEngineDeps } from '../../src/engine/create-engine-deps.js';
import { runPass } from '../../src/engine/run-pass.js';
import { createLogger } from '../../src/log.js';
import { createWorkflows } from '../../src/workflows/index.js';
import { startApplianceHost } from './appliance-host-client.js';
import { benchConfig } from './bench-config.js';
import { printResult } from './bench-result.js';
import { round, timed } from './stats.js';

const JOB_MS = 250;
const { values } = parseArgs({
  options: { vms: { type: 'string' }, snapshots: { type: 'string' }, concurrency: { type: 'string' } },
});
const vms = Number(values.vms ?? 1200);
const count = Number(values.snapshots ?? 2000);
const concurrency = Number(values.concurrency ?? 16);

const host = await startApplianceHost(vms, { drift: false });
const database = connectDatabase(host.handle.databaseUrl, { connectionLimit: 8 });
const admin = async (path: string, body: unknown): Promise<unknown> => {
  const res = await fetch(`${host.handle.simBaseUrl}/sim/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`/sim/${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
};
try {
  // Volumes on the OMA of contexts with no job in flight (an active replication holds back work on
  // its context, rightly), one orphan snapshot each.
  const rows = await sql<{ volume_id: string; disk: string }>`
    select v.volume_id, d.disk_id as disk from ossea_volumes v
      join vm_replication_contexts c on c.context_id = v.vm_context_id
      join vm_disks d on d.ossea_volume_id = v.id
      where c.current_status in ('ready_for_failover', 'failed', 'completed', 'cleanup_required')
      order by v.id limit ${count}`.execute(database.db);
  if (rows.rows.length < count) {
    throw new RangeError(`only ${rows.rows.length} volumes for ${count} snapshots; raise --vms`);
  }
  const unix = Math.floor(Date.now() / 1000) - 7200;
  await admin('seed', {
    snapshots: rows.rows.map((r) => ({
      volumeId: r.volume_id,
      name: `multi-test-failover-${r.disk}-${unix}`,
      created: (unix - 60) * 1000,
    })),
  });
  await admin('config', { asyncJobDurationMs: JOB_MS });

  const config = benchConfig(host.handle, {
    cloudstack: { concurrency },
    budget: { destructivePerPass: 100_000, destructivePerHourPerKind: 100_000 },
  });
  // Times the acting phase from the client's side: first per-object request to last answer.
  const acting = { first: Infinity, last: 0 };
  const timedFetch: typeof fetch = async (input, init) => {
    const started = performance.now();
    const res = await fetch(input, init);
    const body = typeof init?.body === 'string' ? init.body : input instanceof Request ? input.url : input.toString();
    if (
      /command=(deleteSnapshot|queryAsyncJobResult)|command=listSnapshots.*[?&]id=|[?&]id=.*command=listSnapshots/.test(
        body,
      )
    ) {
      acting.first = Math.min(acting.first, started);
      acting.last = Math.max(acting.last, performance.now());
    }
    return res;
  };
  const deps = createEngineDeps({
    config,
    database,
    logger: createLogger('silent'),
    workflows: createWorkflows(),
    actor: 'bench',
    cloudstackTuning: { fetch: timedFetch },
  });
  const options = (passId: string, act: boolean) => ({
    passId,
    signal: AbortSignal.timeout(config.schedule.passTimeoutMs),
    act,
    isLeader: true,
    fence: () => Promise.resolve(true),
    graceOverride: 0,
    only: ['orphan-snapshot' as const],
  });
  // A daemon that has run before: the volumes are in the ownership ledger, the inventory baseline saved.
  await runPass(deps, options('settle', false));
  const { client } = await deps.cloudstack();
  const requestsBefore = client.requestCount;
  const { value: result, wallSeconds } = await timed(() => runPass(deps, options('repair', true)));
  const deleted = result.executed.filter((e) => e.action === 'delete-snapshot' && e.result === 'success').length;
  const failed = result.executed.filter((e) => e.result === 'error');
  const floorSeconds = (count * JOB_MS) / 1000 / concurrency;
  const blockedBy: Record<string, number> = {};
  for (const b of result.report.blocked) blockedBy[b.gate] = (blockedBy[b.gate] ?? 0) + 1;
  printResult({
    vms,
    snapshots: count,
    concurrency,
    jobMs: JOB_MS,
    seconds: round(wallSeconds),
    floorSeconds: round(floorSeconds),
    ratio: round(wallSeconds / floorSeconds),
    actingSeconds: round((acting.last - acting.first) / 1000),
    actingRatio: round((acting.last - acting.first) / 1000 / floorSeconds),
    deleted,
    failed: failed.length,
    firstError: failed[0]?.message ?? null,
    blockedBy,
    remainingDrift: result.remaining.length,
    cloudstackRequests: client.requestCount - requestsBefore,
  });
} finally {
  await database.close();
  await host.close();
}
