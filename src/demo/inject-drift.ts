/**
 * The demo's drift: one realistic case of each kind the appliance is known to produce
 * (oma-system.md §6), injected into a clean appliance. Each injector says what it did.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { ApplianceEnv } from '../appliance-world/appliance-env.js';
import type { WorldContext, WorldVolume } from '../appliance-world/appliance-world.js';
import type { Database } from '../db/connect.js';
import { readDatabaseFacts } from '../db/queries/read-database-facts.js';
import { ledgerObservations } from '../engine/ledger.js';
import { recordLedger } from '../engine/store/ledger-store.js';
import { byIdPath } from '../world/by-id.js';
import { injectStuckFailover } from '../appliance-world/inject-stuck-failover.js';

/** One injected case, for the demo's narration. */
export interface InjectedDrift {
  readonly kind: string;
  readonly what: string;
}

function pick(contexts: readonly WorldContext[], status: string, n: number): WorldContext {
  const found = contexts.filter((c) => c.status === status && c.volumes.length > 0);
  const ctx = found[n % Math.max(1, found.length)];
  if (!ctx) throw new Error(`the demo world has no ${status} context`);
  return ctx;
}

function dataVolume(ctx: WorldContext): WorldVolume {
  const v = ctx.volumes.find((x) => !x.isOsDisk) ?? ctx.volumes[0];
  if (!v) throw new Error(`context ${ctx.contextId} has no volume`);
  return v;
}

/** Injects the demo's drift; returns what it did, in order. */
export async function injectDemoDrift(env: ApplianceEnv, database: Database, now: Date): Promise<InjectedDrift[]> {
  const db = database.db;
  const sim = env.sim.state;
  const omaVmId = env.world.omaVm.id;
  const out: InjectedDrift[] = [];
  const ready = (n: number) => pick(env.world.contexts, 'ready_for_failover', n);
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

  // History first: every id the appliance ever referenced is in the ownership ledger.
  await recordLedger(db, [], ledgerObservations(await readDatabaseFacts(db)), hoursAgo(48));

  // orphan-volume (incident 22): a VM context deleted from the database; its volumes stay attached to the OMA.
  const doomed = pick(env.world.contexts, 'failed', 0);
  await db.deleteFrom('vm_replication_contexts').where('context_id', '=', doomed.contextId).execute();
  out.push({
    kind: 'orphan-volume',
    what: `context of ${doomed.vmName} deleted; its ${doomed.volumes.length} volumes remain in CloudStack`,
  });

  // missing-volume: a volume deleted in CloudStack behind the appliance's back.
  const lost = dataVolume(ready(0));
  sim.detachVolume(lost.volumeId);
  sim.removeVolume(lost.volumeId);
  out.push({ kind: 'missing-volume', what: `CloudStack volume ${lost.name} deleted out of band` });

  // orphan-snapshot: a test-failover snapshot nobody tracks.
  const snapVol = dataVolume(ready(1));
  sim.addSnapshot({
    volumeId: snapVol.volumeId,
    name: `multi-test-failover-disk-2001-${Math.floor(hoursAgo(6).getTime() / 1000)}`,
    created: hoursAgo(6).toISOString(),
  });
  out.push({ kind: 'orphan-snapshot', what: `untracked snapshot on ${snapVol.name}` });

  // volume-attachment: a ready VM's data disk detached from the OMA.
  const detached = dataVolume(ready(2));
  sim.detachVolume(detached.volumeId);
  out.push({ kind: 'volume-attachment', what: `${detached.name} detached from the OMA` });

  // orphan-nbd-export: an export file left for a volume that no longer exists.
  const ghost = randomUUID();
  await writeFile(
    join(env.dirs.confDir, `migration-vol-${ghost}.conf`),
    `[migration-vol-${ghost}]\nexportname = ${byIdPath(ghost, env.dirs.byIdDir)}\nreadonly = false\nmultifile = false\ncopyonwrite = false\n`,
  );
  out.push({ kind: 'orphan-nbd-export', what: `export file for gone volume ${ghost}` });

  // missing-nbd-export + live-export-mismatch: an export file removed while nbd-server serves it.
  const unexported = ready(3).volumes[0];
  if (unexported?.export) {
    await rm(unexported.export.configPath, { force: true });
    out.push({
      kind: 'missing-nbd-export',
      what: `export file of ${unexported.name} removed (still served in memory)`,
    });
  }

  // device-mapping (incident 10): a stale row for a detached volume, and a missing one.
  const unmapped = ready(4).volumes[0];
  if (unmapped) {
    await db.deleteFrom('device_mappings').where('volume_uuid', '=', unmapped.volumeId).execute();
    out.push({ kind: 'device-mapping', what: `device mapping of ${unmapped.name} deleted` });
  }

  // orphan-row: a stale Volume Daemon operation and a legacy export mapping.
  await db
    .insertInto('volume_operations')
    .values({
      id: randomUUID(),
      type: 'attach',
      status: 'executing',
      volume_id: detached.volumeId,
      vm_id: omaVmId,
      request: JSON.stringify({ vm_id: omaVmId }),
      created_at: hoursAgo(3),
      updated_at: hoursAgo(3),
    })
    .execute();
  out.push({ kind: 'orphan-row', what: 'volume operation stuck executing for 3 h (Volume Daemon restart)' });

  // stuck-replication-job (incident 5): a job left in a setup phase.
  const replicating = env.world.contexts.find((c) => c.status === 'replicating' && c.currentJobId !== null);
  if (replicating?.currentJobId) {
    await db
      .updateTable('replication_jobs')
      .set({ status: 'provisioning', updated_at: hoursAgo(2), vma_last_poll_at: null })
      .where('id', '=', replicating.currentJobId)
      .execute();
    out.push({ kind: 'stuck-replication-job', what: `job of ${replicating.vmName} stuck in provisioning for 2 h` });
  }

  // leftover-test-vm: a test VM an old cleanup never deleted.
  const old = ready(5);
  const unix = Math.floor(hoursAgo(30).getTime() / 1000);
  sim.addVirtualMachine({
    name: `${old.vmName}-test-${unix}`,
    displayName: `${old.vmName}-test-${unix}`,
    state: 'Stopped',
  });
  out.push({ kind: 'leftover-test-vm', what: `test VM of ${old.vmName} left from a failover 30 h ago` });

  // cleanup-request: an operator asks to clean up a failed replication job.
  const failedJob = env.world.contexts
    .find((c) => c.status === 'failed' && c.contextId !== doomed.contextId)
    ?.replicationJobs.at(-1);
  if (failedJob) {
    await sql`update replication_jobs set annotations = json_set(coalesce(annotations, '{}'), '$."oma-reconciler/cleanup"', 'requested') where id = ${failedJob.id}`.execute(
      db,
    );
    out.push({ kind: 'cleanup-request', what: `operator annotated failed job ${failedJob.id} for cleanup` });
  }
  // stuck-failover-job (the seed's incident): two test failovers that died half-way.
  for (const [n, stage] of [
    [6, 'after-volume-moves'],
    [7, 'during-virtio'],
  ] as const) {
    const stuck = await injectStuckFailover(db, env.sim, ready(n), stage, now);
    out.push({
      kind: 'stuck-failover-job',
      what: `test failover of ${stuck.vmName} died ${stage.replace(/-/g, ' ')} 4 h ago`,
    });
  }
  // A stuck LIVE failover: never recovered automatically, so it waits for the operator's Cleanup button.
  const live = await injectStuckLiveFailover(db, env, ready(8), now);
  out.push({
    kind: 'stuck-failover-job',
    what: `LIVE failover of ${live.vmName} hung in virtio-driver-injection 4 h ago — waits for you (status page: Needs you → Cleanup)`,
  });
  return out;
}

/**
 * A live failover that hung in `virtio-driver-injection` (incident 7): built as the seed's stuck test
 * failover, then marked live the way the unified engine records one. The reconciler reports it and
 * never acts on it; the operator's cleanup request (the page's Cleanup button) does.
 */
async function injectStuckLiveFailover(
  db: Database['db'],
  env: ApplianceEnv,
  ctx: WorldContext,
  now: Date,
): Promise<{ vmName: string; jobId: string }> {
  const stuck = await injectStuckFailover(db, env.sim, ctx, 'during-virtio', now);
  await db.updateTable('failover_jobs').set({ job_type: 'live' }).where('job_id', '=', stuck.jobId).execute();
  await db
    .updateTable('job_tracking')
    .set({ operation: 'unified-live-failover' })
    .where('id', '=', stuck.jobId)
    .execute();
  await db
    .updateTable('vm_replication_contexts')
    .set({ current_status: 'failed_over_live' })
    .where('context_id', '=', stuck.contextId)
    .execute();
  return { vmName: stuck.vmName, jobId: stuck.jobId };
}
