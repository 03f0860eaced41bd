/**
 * The pure half of the replication-job analysis: from the rows of one context and CloudStack's view
 * of its volumes to what the cleanup removes and keeps. Shared by the workflow and by previews from
 * a world snapshot (`replicationFactsFromWorld`).
 */
import type { ContextStatus } from '../../db/schema-types.js';
import type {
  ContextRow,
  CsVolume,
  NbdExportRow,
  OsseaVolumeRow,
  ReplicationJobRow,
  VmDiskRow,
} from '../../world/world.js';
import { EXPORTED_STATES } from '../../../reconcilers/lib/context-states.js';
import { exportNameFor, isProtectedExportName } from '../../../reconcilers/lib/names.js';
import { TERMINAL_REPLICATION_STATUSES } from '../../../reconcilers/lib/replication-state.js';
import type { AnalysedJobVolume, ReplicationAnalysis } from './replication-analysis.js';

/** Everything the analysis needs about one job. Context-scoped lists hold only that context's rows. */
export interface ReplicationFacts {
  readonly omaVmId: string | null;
  readonly keepVolumes: boolean;
  readonly job: Pick<ReplicationJobRow, 'id' | 'vmContextId' | 'status' | 'replicationType' | 'createdAt'>;
  readonly context: Pick<ContextRow, 'contextId' | 'vmName' | 'currentStatus'> | null;
  /** Every replication job of the context, this one included. */
  readonly contextJobs: readonly Pick<ReplicationJobRow, 'id' | 'status' | 'createdAt'>[];
  readonly vmDisks: readonly Pick<VmDiskRow, 'jobId' | 'diskId' | 'osseaVolumeId'>[];
  readonly osseaVolumes: readonly Pick<OsseaVolumeRow, 'id' | 'volumeId' | 'volumeName'>[];
  readonly nbdExports: readonly Pick<NbdExportRow, 'jobId' | 'volumeId' | 'exportName'>[];
  readonly deviceMappingVolumes: readonly string[];
  /** Failover jobs whose `replication_job_id` is this job. */
  readonly referencingFailovers: readonly string[];
  readonly csVolumes: readonly CsVolume[];
}

/** States the cleanup never recomputes over: a failover or an operator owns them. */
const HANDS_OFF = new Set(['failed_over_test', 'failed_over_live', 'cleanup_required']);

/** The context status the appliance's recompute gives once the job is gone: from the newest remaining job. */
export function recomputeContextStatus(
  remaining: readonly Pick<ReplicationJobRow, 'status' | 'createdAt'>[],
): ContextStatus {
  const newest = [...remaining].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
  if (!newest) return 'discovered';
  if (newest.status === 'completed') return 'ready_for_failover';
  return TERMINAL_REPLICATION_STATUSES.includes(newest.status) ? 'failed' : 'replicating';
}

/** Builds the analysis of one replication job from its facts. Pure. */
export function analyseReplicationJob(f: ReplicationFacts, now: Date): ReplicationAnalysis {
  const warnings: string[] = [];
  const others = f.contextJobs.filter((j) => j.id !== f.job.id);
  const otherCompletedJobs = others.filter((j) => j.status === 'completed').map((j) => j.id);
  const newestOther = [...others].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0] ?? null;
  // The disks of a job point at its volumes; the only job of a context owns every volume of it.
  const rowIds = new Set(
    f.vmDisks.filter((d) => d.jobId === f.job.id && d.osseaVolumeId !== null).map((d) => d.osseaVolumeId ?? ''),
  );
  const exportVolumes = new Set(f.nbdExports.filter((e) => e.jobId === f.job.id).map((e) => e.volumeId));
  const owned = f.osseaVolumes.filter((v) => rowIds.has(v.id) || exportVolumes.has(v.volumeId) || others.length === 0);
  const volumes: AnalysedJobVolume[] = owned.map((v) => {
    const cs = f.csVolumes.find((c) => c.id === v.volumeId) ?? null;
    const attachedTo = cs?.virtualMachineId ?? null;
    return {
      volumeId: v.volumeId,
      name: cs?.name ?? v.volumeName ?? v.volumeId,
      rowId: v.id,
      diskId: f.vmDisks.find((d) => d.osseaVolumeId === v.id)?.diskId ?? null,
      exists: cs !== null,
      attachedTo,
      attachedRole: attachedTo === null ? null : attachedTo === f.omaVmId ? 'oma' : 'other',
    };
  });
  const keepReason = f.keepVolumes
    ? 'keep-volumes was requested'
    : otherCompletedJobs.length > 0
      ? `job ${otherCompletedJobs.join(', ')} of the context completed: the volumes hold the VM's good replica`
      : null;
  const deleteVolumes = keepReason === null;
  for (const v of volumes) {
    if (deleteVolumes && v.attachedRole === 'other') {
      warnings.push(`volume ${v.volumeId} is attached to VM ${v.attachedTo ?? ''}, not the OMA: it is not deleted`);
    }
  }
  const contextStatus = f.context?.currentStatus ?? null;
  const recomputedStatus =
    contextStatus === null || HANDS_OFF.has(contextStatus) ? null : recomputeContextStatus(others);
  const staysExported = EXPORTED_STATES.includes(recomputedStatus ?? contextStatus ?? '');
  const byName = new Map<string, string | null>();
  for (const v of volumes) byName.set(exportNameFor(v.volumeId), v.volumeId);
  for (const e of f.nbdExports) {
    if (e.jobId === f.job.id && !byName.has(e.exportName)) byName.set(e.exportName, e.volumeId);
  }
  const exports = [...byName]
    .filter(([name]) => !isProtectedExportName(name))
    .map(([name, volumeId]) => {
      const volume = volumes.find((v) => v.volumeId === volumeId);
      return { name, volumeId, keep: !deleteVolumes && staysExported && volume?.attachedRole === 'oma' };
    });
  const ownedIds = new Set(volumes.map((v) => v.volumeId));
  return {
    kind: 'replication-job-cleanup',
    version: 1,
    analysedAt: now.toISOString(),
    jobId: f.job.id,
    jobStatus: f.job.status,
    replicationType: f.job.replicationType,
    contextId: f.job.vmContextId,
    vmName: f.context?.vmName ?? null,
    contextStatus,
    omaVmId: f.omaVmId,
    volumes,
    deleteVolumes,
    keepReason,
    otherCompletedJobs,
    exports,
    rows: {
      vmDisks: f.vmDisks.filter((d) => d.jobId === f.job.id).length,
      nbdExports: f.nbdExports.filter((e) => e.jobId === f.job.id || ownedIds.has(e.volumeId)).length,
      failoverJobs: f.referencingFailovers.length,
      deviceMappings: f.deviceMappingVolumes.filter((id) => ownedIds.has(id)).length,
      osseaVolumes: volumes.length,
    },
    newestOtherJobId: newestOther?.id ?? null,
    recomputedStatus,
    warnings,
  };
}
