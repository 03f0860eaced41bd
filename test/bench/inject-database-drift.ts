import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema-types.js';
import type { WorldContext } from '../../src/appliance-world/appliance-world.js';
import type { ContextPicker } from './context-picker.js';

const HOUR = 3_600_000;
const CHUNK = 1000;

/** Runs `run` over `ids` in chunks, so a 500-id edit is one statement and a 50,000-id one is fifty. */
async function inChunks(ids: readonly string[], run: (chunk: string[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) await run(ids.slice(i, i + CHUNK));
}

/** `b`, `c`, … `z`, `ba`, `bb`…: distinct device names (device_path is unique). */
function deviceLetters(i: number): string {
  let out = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / 25)) out = String.fromCharCode(97 + 1 + (n % 25)) + out;
  return out;
}

const volumeAt = (c: WorldContext, unit: number) => {
  const v = c.volumes[unit];
  if (!v) throw new RangeError(`context ${c.contextId} has no volume ${unit}`);
  return v;
};
const newestJob = (c: WorldContext) => {
  const j = c.replicationJobs[c.replicationJobs.length - 1];
  if (!j) throw new RangeError(`context ${c.contextId} has no replication job`);
  return j;
};

/**
 * Drift written into the OMA database after the build, `count` of each kind (disjoint contexts):
 * unreferenced failover snapshots, device mappings in the wrong mode, legacy export rows and
 * forgotten volume operations, replication jobs stuck in a setup phase, test failovers whose
 * tracking job failed, and cleanup annotations. Returns the number of rows changed per kind.
 */
export async function injectDatabaseDrift(
  db: Kysely<DB>,
  pick: ContextPicker,
  count: number,
  now: Date,
): Promise<Record<string, number>> {
  const old = new Date(now.getTime() - 2 * HOUR);
  const snapshots = pick.take('failed_over_test', count).map((c) => volumeAt(c, 1).osseaVolumeRowId);
  await inChunks(snapshots, (ids) =>
    db
      .updateTable('ossea_volumes')
      .set({ snapshot_id: null, snapshot_status: 'none' })
      .where('id', 'in', ids)
      .execute(),
  );

  const mappings = pick.take('failed', count).map((c) => volumeAt(c, 0).volumeId);
  await inChunks(mappings, (ids) =>
    db.updateTable('device_mappings').set({ operation_mode: 'failover' }).where('volume_uuid', 'in', ids).execute(),
  );

  const half = Math.ceil(count / 2);
  const legacy = Array.from({ length: half }, (_, i) => ({
    vm_id: `legacy-vm-${i}`,
    disk_unit_number: 0,
    vm_name: `legacy-${i}`,
    export_name: `migration-legacy-${i}`,
    device_path: `/dev/vd${deviceLetters(i)}`,
    status: 'active' as const,
    created_at: old,
    updated_at: old,
  }));
  for (let i = 0; i < legacy.length; i += CHUNK) {
    await db
      .insertInto('vm_export_mappings')
      .values(legacy.slice(i, i + CHUNK))
      .execute();
  }
  const operations = Array.from({ length: half }, (_, i) => ({
    id: `bench-op-${i}`,
    type: 'attach' as const,
    status: 'executing' as const,
    volume_id: `bench-volume-${i}`,
    vm_id: null,
    request: JSON.stringify({ bench: true }),
    created_at: old,
    updated_at: old,
  }));
  for (let i = 0; i < operations.length; i += CHUNK) {
    await db
      .insertInto('volume_operations')
      .values(operations.slice(i, i + CHUNK))
      .execute();
  }

  const stuck = pick.take('replicating', count).map((c) => newestJob(c).id);
  await inChunks(stuck, (ids) =>
    db
      .updateTable('replication_jobs')
      .set({ status: 'attaching', updated_at: old, vma_last_poll_at: old })
      .where('id', 'in', ids)
      .execute(),
  );

  const failovers = pick.take('failed_over_test', count).map((c) => c.failover?.jobId ?? '');
  await inChunks(failovers, (ids) =>
    db.updateTable('failover_jobs').set({ status: 'pending' }).where('job_id', 'in', ids).execute(),
  );
  await inChunks(failovers, (ids) =>
    db
      .updateTable('job_tracking')
      .set({ status: 'failed', error_message: 'bench: engine gave up' })
      .where('id', 'in', ids)
      .execute(),
  );

  const requests = pick.take('completed', count).map((c) => newestJob(c).id);
  const annotation = JSON.stringify({ 'oma-reconciler/cleanup': 'requested' });
  await inChunks(requests, (ids) =>
    db.updateTable('replication_jobs').set({ annotations: annotation }).where('id', 'in', ids).execute(),
  );

  return {
    'orphan-snapshot': snapshots.length,
    'device-mapping': mappings.length,
    'orphan-row': legacy.length + operations.length,
    'stuck-replication-job': stuck.length,
    'stuck-failover-job': failovers.length,
    'cleanup-request': requests.length,
  };
}
