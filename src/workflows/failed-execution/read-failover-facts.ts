/**
 * The I/O half of the failed-execution analysis: the failover's rows from the database (targeted
 * queries, one context) and what CloudStack lists about its volumes, snapshots and VMs now.
 */
import type { Kysely } from 'kysely';
import type { CloudStackClient } from '../../cloudstack/cloudstack-client.js';
import { annotationsOf } from '../../db/queries/json-column.js';
import { jobLivenessColumns, lastActivityOf } from '../../db/queries/job-liveness.js';
import type { DB } from '../../db/schema-types.js';
import type {
  ContextRow,
  CsSnapshot,
  CsVirtualMachine,
  CsVolume,
  FailoverJobRow,
  JobTrackingRow,
} from '../../world/world.js';
import { sanitizeVmName } from '../../../reconcilers/lib/names.js';
import { completeItems, findSnapshot, findVm, findVolume } from '../../cloudstack/find-objects.js';
import { testVmUnix, type FailoverFacts } from './analyse-failover.js';

const iso = (d: Date | null): string => d?.toISOString() ?? '';

/** The failover job and its context as the workflow re-reads them at every run. */
export interface FailoverRows {
  readonly failover: FailoverJobRow;
  readonly context: ContextRow | null;
  /** The failover's own `job_tracking` row (status, newest step, liveness). */
  readonly tracking: JobTrackingRow | null;
}

/** Reads the failover row (by `failover_jobs.job_id`), its context and tracking row; null when there is no such failover. */
export async function readFailoverRows(db: Kysely<DB>, failoverJobId: string): Promise<FailoverRows | null> {
  const f = await db.selectFrom('failover_jobs').selectAll().where('job_id', '=', failoverJobId).executeTakeFirst();
  if (!f) return null;
  const c =
    f.vm_context_id === null
      ? undefined
      : await db
          .selectFrom('vm_replication_contexts')
          .selectAll()
          .where('context_id', '=', f.vm_context_id)
          .executeTakeFirst();
  const t = await db
    .selectFrom('job_tracking as jt')
    .select(['jt.status', 'jt.error_message', 'jt.started_at', 'jt.job_type', 'jt.operation', 'jt.context_id'])
    .select(jobLivenessColumns)
    .where('jt.id', '=', failoverJobId)
    .executeTakeFirst();
  return {
    failover: {
      id: f.id,
      vmContextId: f.vm_context_id ?? '',
      jobId: f.job_id,
      vmId: f.vm_id,
      replicationJobId: f.replication_job_id,
      jobType: f.job_type,
      status: f.status,
      sourceVmName: f.source_vm_name,
      destinationVmId: f.destination_vm_id,
      osseaSnapshotId: f.ossea_snapshot_id,
      errorMessage: f.error_message,
      createdAt: iso(f.created_at),
      updatedAt: iso(f.updated_at ?? f.created_at),
      annotations: annotationsOf(f.annotations),
    },
    context: c
      ? {
          contextId: c.context_id,
          vmName: c.vm_name,
          vmwareVmId: c.vmware_vm_id,
          currentStatus: c.current_status,
          currentJobId: c.current_job_id,
          lastSuccessfulJobId: c.last_successful_job_id,
          updatedAt: iso(c.updated_at),
          annotations: annotationsOf(c.annotations),
        }
      : null,
    tracking: t
      ? {
          id: failoverJobId,
          jobType: t.job_type ?? '',
          operation: t.operation,
          status: t.status ?? '',
          contextId: t.context_id,
          errorMessage: t.error_message,
          startedAt: t.started_at?.toISOString() ?? null,
          lastActivityAt: lastActivityOf(t),
          currentStep: t.current_step,
        }
      : null,
  };
}

/** Reads everything {@link analyseFailover} needs, live. Throws when CloudStack cannot be listed completely. */
export async function readFailoverFacts(
  db: Kysely<DB>,
  cs: CloudStackClient,
  rows: FailoverRows & { readonly context: ContextRow },
  omaVmId: string | null,
  signal: AbortSignal,
): Promise<FailoverFacts> {
  const { failover, context } = rows;
  const osseaVolumes = (
    await db
      .selectFrom('ossea_volumes')
      .select(['id', 'volume_id', 'volume_name', 'snapshot_id'])
      .where('vm_context_id', '=', context.contextId)
      .orderBy('id')
      .execute()
  ).map((r) => ({ volumeId: r.volume_id, volumeName: r.volume_name, snapshotId: r.snapshot_id }));
  const others = await db
    .selectFrom('failover_jobs')
    .select('destination_vm_id')
    .where('vm_context_id', '=', context.contextId)
    .where('job_id', '!=', failover.jobId)
    .execute();
  const otherDestinations = others.map((o) => o.destination_vm_id).filter((d): d is string => d !== null && d !== '');

  const csVolumes = new Map<string, CsVolume>();
  const csSnapshots = new Map<string, CsSnapshot>();
  for (const v of osseaVolumes) {
    const volume = await findVolume(cs, v.volumeId, signal);
    if (!volume) continue;
    csVolumes.set(volume.id, volume);
    for (const s of completeItems(
      await cs.listSnapshots({ volumeId: v.volumeId }, { signal }),
      `snapshots of volume ${v.volumeId}`,
    )) {
      csSnapshots.set(s.id, s);
    }
  }
  for (const id of [failover.osseaSnapshotId, ...osseaVolumes.map((v) => v.snapshotId)]) {
    if (id !== null && id !== '' && !csSnapshots.has(id)) {
      const s = await findSnapshot(cs, id, signal);
      if (s) csSnapshots.set(s.id, s);
    }
  }
  const vms = new Map<string, CsVirtualMachine>();
  const vmIds = new Set(
    [failover.destinationVmId, ...[...csVolumes.values()].map((v) => v.virtualMachineId)].filter(
      (id): id is string => id !== null && id !== '' && id !== omaVmId,
    ),
  );
  for (const id of vmIds) {
    const vm = await findVm(cs, id, signal);
    if (vm) vms.set(vm.id, vm);
  }
  if (failover.jobType === 'test') {
    // The name always starts with the first characters of the sanitised VM name (§4.7), even when cut to 63.
    const keyword = sanitizeVmName(context.vmName).slice(0, 32);
    for (const vm of completeItems(
      await cs.listVirtualMachines({ keyword }, { signal }),
      `VMs named like ${keyword}`,
    )) {
      if (testVmUnix(vm, context.vmName) !== null) vms.set(vm.id, vm);
    }
  }
  for (const vm of vms.values()) {
    for (const v of completeItems(
      await cs.listVolumes({ virtualMachineId: vm.id }, { signal }),
      `volumes of VM ${vm.id}`,
    )) {
      csVolumes.set(v.id, v);
    }
  }
  return {
    omaVmId,
    context,
    failover,
    tracking: rows.tracking,
    otherDestinations,
    osseaVolumes,
    csVolumes: [...csVolumes.values()],
    csSnapshots: [...csSnapshots.values()],
    csVms: [...vms.values()],
  };
}
