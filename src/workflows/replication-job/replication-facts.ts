/** The facts of one replication job: read live (targeted queries + CloudStack) or taken from a world snapshot. */
import type { Kysely } from 'kysely';
import type { CloudStackClient } from '../../cloudstack/cloudstack-client.js';
import type { DB } from '../../db/schema-types.js';
import type { CsVolume, World } from '../../world/world.js';
import { findVolume } from '../../cloudstack/find-objects.js';
import type { ReplicationFacts } from './analyse-replication-job.js';

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** Reads the facts live; null when the job row does not exist. */
export async function readReplicationFacts(
  db: Kysely<DB>,
  cs: CloudStackClient,
  jobId: string,
  keepVolumes: boolean,
  omaVmId: string | null,
  signal: AbortSignal,
): Promise<ReplicationFacts | null> {
  const job = await db
    .selectFrom('replication_jobs')
    .select(['id', 'vm_context_id', 'status', 'replication_type', 'created_at'])
    .where('id', '=', jobId)
    .executeTakeFirst();
  if (!job) return null;
  const contextId = job.vm_context_id ?? '';
  const context = await db
    .selectFrom('vm_replication_contexts')
    .select(['context_id', 'vm_name', 'current_status'])
    .where('context_id', '=', contextId)
    .executeTakeFirst();
  const contextJobs = await db
    .selectFrom('replication_jobs')
    .select(['id', 'status', 'created_at'])
    .where('vm_context_id', '=', contextId)
    .execute();
  const vmDisks = await db
    .selectFrom('vm_disks')
    .select(['job_id', 'disk_id', 'ossea_volume_id'])
    .where((eb) => eb.or([eb('vm_context_id', '=', contextId), eb('job_id', '=', jobId)]))
    .execute();
  const osseaVolumes = await db
    .selectFrom('ossea_volumes')
    .select(['id', 'volume_id', 'volume_name'])
    .where('vm_context_id', '=', contextId)
    .orderBy('id')
    .execute();
  const nbdExports = await db
    .selectFrom('nbd_exports')
    .select(['job_id', 'volume_id', 'export_name'])
    .where((eb) => eb.or([eb('vm_context_id', '=', contextId), eb('job_id', '=', jobId)]))
    .execute();
  const mappings = await db
    .selectFrom('device_mappings')
    .select('volume_uuid')
    .where('volume_uuid', 'in', ['', ...osseaVolumes.map((v) => v.volume_id)])
    .execute();
  const failovers = await db
    .selectFrom('failover_jobs')
    .select('job_id')
    .where('replication_job_id', '=', jobId)
    .execute();
  const csVolumes: CsVolume[] = [];
  for (const v of osseaVolumes) {
    const found = await findVolume(cs, v.volume_id, signal);
    if (found) csVolumes.push(found);
  }
  return {
    omaVmId,
    keepVolumes,
    job: {
      id: job.id,
      vmContextId: contextId,
      status: job.status ?? 'pending',
      replicationType: job.replication_type,
      createdAt: iso(job.created_at),
    },
    context: context
      ? { contextId: context.context_id, vmName: context.vm_name, currentStatus: context.current_status }
      : null,
    contextJobs: contextJobs.map((j) => ({ id: j.id, status: j.status ?? 'pending', createdAt: iso(j.created_at) })),
    vmDisks: vmDisks.map((d) => ({ jobId: d.job_id, diskId: d.disk_id, osseaVolumeId: d.ossea_volume_id })),
    osseaVolumes: osseaVolumes.map((v) => ({ id: v.id, volumeId: v.volume_id, volumeName: v.volume_name })),
    nbdExports: nbdExports.map((e) => ({ jobId: e.job_id, volumeId: e.volume_id ?? '', exportName: e.export_name })),
    deviceMappingVolumes: mappings.map((m) => m.volume_uuid),
    referencingFailovers: failovers.map((f) => f.job_id),
    csVolumes,
  };
}

/** The same facts from a world snapshot (no I/O), for previews in `explain` and the status page. */
export function replicationFactsFromWorld(world: World, jobId: string, keepVolumes: boolean): ReplicationFacts | null {
  const db = world.database;
  const job = db.replicationJobs.find((j) => j.id === jobId);
  if (!job) return null;
  const contextId = job.vmContextId;
  const osseaVolumes = db.osseaVolumes.filter((v) => v.vmContextId === contextId);
  const ids = new Set(osseaVolumes.map((v) => v.volumeId));
  return {
    omaVmId: world.omaVmId,
    keepVolumes,
    job,
    context: db.contexts.find((c) => c.contextId === contextId) ?? null,
    contextJobs: db.replicationJobs.filter((j) => j.vmContextId === contextId),
    vmDisks: db.vmDisks.filter((d) => d.vmContextId === contextId || d.jobId === jobId),
    osseaVolumes,
    nbdExports: db.nbdExports.filter((e) => e.vmContextId === contextId || e.jobId === jobId),
    deviceMappingVolumes: db.deviceMappings.filter((m) => ids.has(m.volumeUuid)).map((m) => m.volumeUuid),
    referencingFailovers: db.failoverJobs.filter((f) => f.replicationJobId === jobId).map((f) => f.jobId),
    csVolumes: world.cloudstack.volumes.filter((v) => ids.has(v.id)),
  };
}
