import type { Kysely } from 'kysely';
import type { DB } from '../schema-types.js';
import { readTable } from './read-table.js';
import type { FailoverJobRow, VolumeOperationRow } from '../../world/world.js';
import { isoOfFirst } from './iso-time.js';
import { annotationsOf } from './json-column.js';
import { noStringPool, type StringPool } from '../../string-pool.js';
import { abandonedOperations } from './writer-sessions.js';

/** Every failover job (one statement). */
export function readFailoverJobs(db: Kysely<DB>, s: StringPool = noStringPool): Promise<FailoverJobRow[]> {
  return readTable(
    db,
    {
      table: 'failover_jobs',
      columns: [
        'id',
        'vm_context_id',
        'job_id',
        'vm_id',
        'replication_job_id',
        'job_type',
        'status',
        'source_vm_name',
        'destination_vm_id',
        'ossea_snapshot_id',
        'error_message',
        'created_at',
        'updated_at',
        'annotations',
      ],
      orderBy: ['id'],
    },
    (r) => ({
      id: r.id,
      vmContextId: s(r.vm_context_id ?? ''),
      jobId: s(r.job_id),
      vmId: r.vm_id,
      replicationJobId: s(r.replication_job_id),
      jobType: s(r.job_type),
      status: s(r.status),
      sourceVmName: r.source_vm_name,
      destinationVmId: s(r.destination_vm_id),
      osseaSnapshotId: r.ossea_snapshot_id,
      errorMessage: r.error_message,
      createdAt: isoOfFirst(r.created_at),
      updatedAt: isoOfFirst(r.updated_at, r.created_at),
      annotations: annotationsOf(r.annotations),
    }),
  );
}

/** How far back finished Volume Daemon operations are read (the in-flight gate holds a volume for a while after its operation ended). */
const FINISHED_OPERATIONS_LOOKBACK_MS = 3_600_000;

/**
 * Volume Daemon operations still `pending` or `executing`, and those that ended within the lookback
 * (one statement, plus one process-list look-up when open operations of ours name their writer).
 */
export async function readOpenVolumeOperations(db: Kysely<DB>, now: Date = new Date()): Promise<VolumeOperationRow[]> {
  const since = new Date(now.getTime() - FINISHED_OPERATIONS_LOOKBACK_MS);
  const rows = await db
    .selectFrom('volume_operations')
    .select(['id', 'type', 'status', 'volume_id', 'vm_id', 'request', 'created_at', 'updated_at'])
    .where((eb) => eb.or([eb('status', 'in', ['pending', 'executing']), eb('updated_at', '>=', since)]))
    .orderBy('id')
    .execute();
  const gone = await abandonedOperations(
    db,
    rows.filter((r) => r.status === 'pending' || r.status === 'executing'),
  );
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    status: r.status,
    volumeId: r.volume_id,
    vmId: r.vm_id,
    createdAt: isoOfFirst(r.created_at),
    updatedAt: isoOfFirst(r.updated_at, r.created_at),
    ...(gone.has(r.id) ? { writerGone: true } : {}),
  }));
}
