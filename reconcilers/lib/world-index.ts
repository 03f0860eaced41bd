/**
 * Lookup tables over one world. A world is immutable, so the pass builds its tables once
 * (`diffAll`, `planPass`) and passes them explicitly to every reconciler and gate instead of each
 * building its own (13×); every reconciler stays a pure function of its arguments.
 */
import type {
  ContextRow,
  CsSnapshot,
  CsVirtualMachine,
  CsVolume,
  DeviceLink,
  DeviceMappingRow,
  FailoverJobRow,
  JobTrackingRow,
  LedgerEntry,
  NbdConfiguredExport,
  NbdExportRow,
  OsseaVolumeRow,
  ReplicationJobRow,
  World,
} from '../../src/world/world.js';
import { sanitizeVmName } from './names.js';

/** Read-only maps of a world's rows and objects by their natural keys. */
export interface WorldIndex {
  readonly world: World;
  readonly contexts: ReadonlyMap<string, ContextRow>;
  readonly replicationJobs: ReadonlyMap<string, ReplicationJobRow>;
  /** Failover jobs by `job_id` (the job_tracking id for the unified engine). */
  readonly failoverJobs: ReadonlyMap<string, FailoverJobRow>;
  readonly failoverJobsByContext: ReadonlyMap<string, readonly FailoverJobRow[]>;
  readonly jobTracking: ReadonlyMap<string, JobTrackingRow>;
  /** `ossea_volumes` by CloudStack volume id. */
  readonly osseaVolumes: ReadonlyMap<string, OsseaVolumeRow>;
  readonly osseaVolumesByContext: ReadonlyMap<string, readonly OsseaVolumeRow[]>;
  readonly deviceMappings: ReadonlyMap<string, DeviceMappingRow>;
  readonly nbdRowsByName: ReadonlyMap<string, NbdExportRow>;
  readonly configuredExports: ReadonlyMap<string, NbdConfiguredExport>;
  readonly csVolumes: ReadonlyMap<string, CsVolume>;
  readonly csSnapshots: ReadonlyMap<string, CsSnapshot>;
  readonly csVms: ReadonlyMap<string, CsVirtualMachine>;
  readonly ledger: ReadonlyMap<string, LedgerEntry>;
  /** By-id links by the volume id they map to (unambiguous links only). */
  readonly linksByVolume: ReadonlyMap<string, DeviceLink>;
  /** Volume ids that share a by-id prefix with another volume (never guessed). */
  readonly ambiguousVolumes: ReadonlySet<string>;
  /** Snapshot ids referenced by `ossea_volumes.snapshot_id` or `failover_jobs.ossea_snapshot_id`. */
  readonly referencedSnapshots: ReadonlySet<string>;
  /** Failover jobs by the CloudStack VM they created (`destination_vm_id`). */
  readonly failoverJobsByDestination: ReadonlyMap<string, readonly FailoverJobRow[]>;
  /** CloudStack volumes by the VM they are attached to. */
  readonly csVolumesByVm: ReadonlyMap<string, readonly CsVolume[]>;
  /** Source VM names of the contexts, raw and sanitised (a live failover VM carries one of them). */
  readonly sourceVmNames: ReadonlySet<string>;
}

function byKey<T>(rows: readonly T[], key: (row: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  // First row wins: a duplicate key is a data problem another reconciler reports, not a reason to guess.
  for (const row of rows) if (!map.has(key(row))) map.set(key(row), row);
  return map;
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(key(row));
    if (list) list.push(row);
    else map.set(key(row), [row]);
  }
  return map;
}

/** The ledger key of an object. */
export function ledgerKey(objectType: LedgerEntry['objectType'], objectId: string): string {
  return `${objectType}:${objectId}`;
}

/**
 * Tables of worlds already indexed. Weak keys: an index lives exactly as long as its world. (Building
 * them per reconciler was 1.6 s of a 7 s pass at 10,000 VMs in the benchmark's profile.)
 */
/** The lookup tables of a world. Build them once per pass (`diffAll` does) and hand them on. */
export function indexWorld(world: World): WorldIndex {
  const db = world.database;
  const ambiguous = new Set<string>();
  for (const link of world.devices.links) for (const id of link.ambiguousWith) ambiguous.add(id);
  const referencedSnapshots = new Set<string>();
  for (const v of db.osseaVolumes) if (v.snapshotId) referencedSnapshots.add(v.snapshotId);
  for (const f of db.failoverJobs) if (f.osseaSnapshotId) referencedSnapshots.add(f.osseaSnapshotId);
  return {
    world,
    contexts: byKey(db.contexts, (r) => r.contextId),
    replicationJobs: byKey(db.replicationJobs, (r) => r.id),
    failoverJobs: byKey(db.failoverJobs, (r) => r.jobId),
    failoverJobsByContext: groupBy(db.failoverJobs, (r) => r.vmContextId),
    jobTracking: byKey(db.jobTracking, (r) => r.id),
    osseaVolumes: byKey(db.osseaVolumes, (r) => r.volumeId),
    osseaVolumesByContext: groupBy(db.osseaVolumes, (r) => r.vmContextId),
    deviceMappings: byKey(db.deviceMappings, (r) => r.volumeUuid),
    nbdRowsByName: byKey(db.nbdExports, (r) => r.exportName),
    configuredExports: byKey(world.nbd.configured, (r) => r.name),
    csVolumes: byKey(world.cloudstack.volumes, (r) => r.id),
    csSnapshots: byKey(world.cloudstack.snapshots, (r) => r.id),
    csVms: byKey(world.cloudstack.virtualMachines, (r) => r.id),
    ledger: byKey(db.ledger, (r) => ledgerKey(r.objectType, r.objectId)),
    linksByVolume: byKey(
      world.devices.links.filter((l) => l.volumeId !== null && l.ambiguousWith.length === 0),
      (l) => l.volumeId ?? '',
    ),
    ambiguousVolumes: ambiguous,
    referencedSnapshots,
    failoverJobsByDestination: groupBy(
      db.failoverJobs.filter((f) => f.destinationVmId),
      (f) => f.destinationVmId ?? '',
    ),
    csVolumesByVm: groupBy(
      world.cloudstack.volumes.filter((v) => v.virtualMachineId),
      (v) => v.virtualMachineId ?? '',
    ),
    sourceVmNames: new Set(db.contexts.flatMap((c) => [c.vmName, sanitizeVmName(c.vmName)])),
  };
}
