import type { Kysely } from 'kysely';
import type { DB } from '../schema-types.js';
import { readTable } from './read-table.js';
import type { ContextRow, ReplicationJobRow, VmDiskRow } from '../../world/world.js';
import { isoOfFirst, isoOrNull } from './iso-time.js';
import { annotationsOf } from './json-column.js';
import { noStringPool, type StringPool } from '../../string-pool.js';

/** Every VM context (one statement). */
export function readContexts(db: Kysely<DB>, s: StringPool = noStringPool): Promise<ContextRow[]> {
  return readTable(
    db,
    {
      table: 'vm_replication_contexts',
      columns: [
        'context_id',
        'vm_name',
        'vmware_vm_id',
        'current_status',
        'current_job_id',
        'last_successful_job_id',
        'updated_at',
        'created_at',
        'annotations',
      ],
      orderBy: ['context_id'],
    },
    (r) => ({
      contextId: s(r.context_id),
      vmName: r.vm_name,
      vmwareVmId: r.vmware_vm_id,
      currentStatus: s(r.current_status),
      currentJobId: s(r.current_job_id),
      lastSuccessfulJobId: s(r.last_successful_job_id),
      updatedAt: isoOfFirst(r.updated_at, r.created_at),
      annotations: annotationsOf(r.annotations),
    }),
  );
}

/** Every replication job (one statement). A NULL `vm_context_id` becomes `''` (the world type has no null). */
export function readReplicationJobs(db: Kysely<DB>, s: StringPool = noStringPool): Promise<ReplicationJobRow[]> {
  return readTable(
    db,
    {
      table: 'replication_jobs',
      columns: [
        'id',
        'vm_context_id',
        'status',
        'replication_type',
        'current_operation',
        'error_message',
        'created_at',
        'updated_at',
        'completed_at',
        'vma_last_poll_at',
        'annotations',
      ],
      orderBy: ['id'],
    },
    (r) => ({
      id: s(r.id),
      vmContextId: s(r.vm_context_id ?? ''),
      status: s(r.status ?? ''),
      replicationType: s(r.replication_type),
      currentOperation: s(r.current_operation),
      errorMessage: r.error_message,
      createdAt: isoOrNull(r.created_at),
      updatedAt: isoOrNull(r.updated_at),
      completedAt: isoOrNull(r.completed_at),
      vmaLastPollAt: isoOrNull(r.vma_last_poll_at),
      annotations: annotationsOf(r.annotations),
    }),
  );
}

/** Every VMware disk record (one statement). */
export function readVmDisks(db: Kysely<DB>, s: StringPool = noStringPool): Promise<VmDiskRow[]> {
  return readTable(
    db,
    { table: 'vm_disks', columns: ['id', 'vm_context_id', 'job_id', 'disk_id', 'ossea_volume_id'], orderBy: ['id'] },
    (r) => ({
      id: r.id,
      vmContextId: s(r.vm_context_id ?? ''),
      jobId: s(r.job_id),
      diskId: s(r.disk_id),
      osseaVolumeId: s(r.ossea_volume_id),
    }),
  );
}
