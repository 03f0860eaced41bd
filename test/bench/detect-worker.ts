/**
 * Time to detect: the daemon runs in this process (`startReconciler`, dry-run mode, a resync cron
 * that never fires during the trials) against an appliance of `--vms` contexts in a host process.
 * A trial writes something and measures until the drift it causes is in `engine.lastPlan()`, as
 * seen at the end of each pass: a conf.d change (an orphan export file appears; found through the
 * nbd watcher) and a cleanup annotation on a replication job (found through the annotation poll).
 * Each trial starts after a random pause, so writes land at every phase of the poll interval.
 *
 *   node --import tsx test/bench/detect-worker.ts [--vms 1000] [--trials 50]
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startReconciler } from '../../src/compose/start-reconciler.js';
import { connectDatabase } from '../../src/db/connect.js';
import { writeApplianceExportFile } from '../../src/appliance-world/appliance-env.js';
import { byIdPath } from '../../src/world/by-id.js';
import { uuidFromSeed } from '../../src/appliance-world/uuid-from-seed.js';
import { createLogger } from '../../src/log.js';
import { startApplianceHost } from './appliance-host-client.js';
import { benchConfig } from './bench-config.js';
import { printResult } from './bench-result.js';
import { percentile, round } from './stats.js';

const ANNOTATION_POLL_MS = 1000;
const WATCH_DEBOUNCE_MS = 250;
const { values } = parseArgs({ options: { vms: { type: 'string' }, trials: { type: 'string' } } });
const vms = Number(values.vms ?? 1000);
const trials = Number(values.trials ?? 50);

const host = await startApplianceHost(vms, { drift: false });
const database = connectDatabase(host.handle.databaseUrl, { connectionLimit: 2 });
const config = benchConfig(host.handle, {
  mode: 'dry-run',
  httpListen: '127.0.0.1:0',
  schedule: { resyncCron: '0 0 1 1 *', jitterMs: 0, annotationPollMs: ANNOTATION_POLL_MS },
  nbd: { watchDebounceMs: WATCH_DEBOUNCE_MS },
});
const { daemon, engine } = startReconciler({ config, logger: createLogger('silent'), signals: null });

/** Resolves with the ms from `started` to the end of the first pass whose plan satisfies `seen`. */
function waitForPlan(seen: (ids: ReadonlySet<string>) => boolean, started: number): Promise<number> {
  return new Promise((resolve) => {
    const off = daemon.loop.onPass(() => {
      const plan = engine.lastPlan();
      if (plan && seen(new Set(plan.drift.map((d) => d.id)))) {
        off();
        resolve(performance.now() - started);
      }
    });
  });
}

/** Runs one trial: waits a random part of the poll interval, applies `change`, waits for `seen`. */
async function trial(change: () => Promise<unknown>, seen: (ids: ReadonlySet<string>) => boolean): Promise<number> {
  await sleep(Math.random() * ANNOTATION_POLL_MS);
  const started = performance.now();
  const found = waitForPlan(seen, started);
  await change();
  return found;
}

try {
  await daemon.ready;
  await waitForPlan(() => true, performance.now());
  const confdMs: number[] = [];
  for (let i = -1; i < trials; i++) {
    const name = `migration-vol-${uuidFromSeed('oma-bench', 'detect', i)}`;
    const file = join(host.handle.confDir, `${name}.conf`);
    const id = `orphan-nbd-export:nbd-export:${name}`;
    const ms = await trial(
      () => writeApplianceExportFile(file, name, byIdPath(uuidFromSeed('oma-bench', 'detect', i), host.handle.byIdDir)),
      (ids) => ids.has(id),
    );
    if (i >= 0) confdMs.push(ms); // trial -1 warms the watcher up
    const gone = waitForPlan((ids) => !ids.has(id), performance.now());
    await rm(file);
    await gone;
  }
  const jobs = await sql<{ id: string }>`
    select j.id from replication_jobs j join vm_replication_contexts c on c.context_id = j.vm_context_id
      where c.current_status = 'completed' and j.id = c.last_successful_job_id order by j.id limit ${trials}`.execute(
    database.db,
  );
  if (jobs.rows.length < trials) {
    throw new RangeError(`only ${jobs.rows.length} completed contexts for ${trials} annotation trials`);
  }
  const annotationMs: number[] = [];
  for (const { id } of jobs.rows) {
    const driftId = `cleanup-request:replication-job:${id}`;
    const annotation = JSON.stringify({ 'oma-reconciler/cleanup': 'requested' });
    annotationMs.push(
      await trial(
        () =>
          database.db.updateTable('replication_jobs').set({ annotations: annotation }).where('id', '=', id).execute(),
        (ids) => ids.has(driftId),
      ),
    );
  }
  printResult({
    vms,
    trials,
    annotationPollMs: ANNOTATION_POLL_MS,
    watchDebounceMs: WATCH_DEBOUNCE_MS,
    confdP50Ms: round(percentile(confdMs, 50), 1),
    confdP95Ms: round(percentile(confdMs, 95), 1),
    confdMaxMs: round(Math.max(...confdMs), 1),
    annotationP50Ms: round(percentile(annotationMs, 50), 1),
    annotationP95Ms: round(percentile(annotationMs, 95), 1),
    annotationMaxMs: round(Math.max(...annotationMs), 1),
  });
} finally {
  await daemon.stop('benchmark done');
  await database.close();
  await host.close();
}
