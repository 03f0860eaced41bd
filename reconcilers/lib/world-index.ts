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
  /** Values derived from the tables and shared by the reconcilers of one pass (see {@link derivedOnce}). */
  readonly derived: Map<string, unknown>;
}

function byKey<T>(rows: readonly T[], key: (row: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  // First row wins: a duplicate key is a data problem another reconciler reports, not a reason to guess.
  for (const row of rows) {
    const k = key(row);
    if (!map.has(k)) map.set(k, row);
  }
  return map;
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string | null): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === null) continue;
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

/** The ledger key of an object. */
export function ledgerKey(objectType: LedgerEntry['objectType'], objectId: string): string {
  return `${objectType}:${objectId}`;
}

type Tables = Omit<WorldIndex, 'world' | 'derived'>;
type Builders = { readonly [K in keyof Tables]: (world: World) => Tables[K] };

/** How each table is built from the world (each runs at most once per index, on first use). */
const BUILDERS: Builders = {
  contexts: (w) => byKey(w.database.contexts, (r) => r.contextId),
  replicationJobs: (w) => byKey(w.database.replicationJobs, (r) => r.id),
  failoverJobs: (w) => byKey(w.database.failoverJobs, (r) => r.jobId),
  failoverJobsByContext: (w) => groupBy(w.database.failoverJobs, (r) => r.vmContextId),
  jobTracking: (w) => byKey(w.database.jobTracking, (r) => r.id),
  osseaVolumes: (w) => byKey(w.database.osseaVolumes, (r) => r.volumeId),
  osseaVolumesByContext: (w) => groupBy(w.database.osseaVolumes, (r) => r.vmContextId),
  deviceMappings: (w) => byKey(w.database.deviceMappings, (r) => r.volumeUuid),
  nbdRowsByName: (w) => byKey(w.database.nbdExports, (r) => r.exportName),
  configuredExports: (w) => byKey(w.nbd.configured, (r) => r.name),
  csVolumes: (w) => byKey(w.cloudstack.volumes, (r) => r.id),
  csSnapshots: (w) => byKey(w.cloudstack.snapshots, (r) => r.id),
  csVms: (w) => byKey(w.cloudstack.virtualMachines, (r) => r.id),
  ledger: (w) => byKey(w.database.ledger, (r) => ledgerKey(r.objectType, r.objectId)),
  linksByVolume: (w) =>
    byKey(
      w.devices.links.filter((l) => l.volumeId !== null && l.ambiguousWith.length === 0),
      (l) => l.volumeId ?? '',
    ),
  ambiguousVolumes: (w) => {
    const ambiguous = new Set<string>();
    for (const link of w.devices.links) for (const id of link.ambiguousWith) ambiguous.add(id);
    return ambiguous;
  },
  referencedSnapshots: (w) => {
    const referenced = new Set<string>();
    for (const v of w.database.osseaVolumes) if (v.snapshotId) referenced.add(v.snapshotId);
    for (const f of w.database.failoverJobs) if (f.osseaSnapshotId) referenced.add(f.osseaSnapshotId);
    return referenced;
  },
  failoverJobsByDestination: (w) => groupBy(w.database.failoverJobs, (f) => f.destinationVmId || null),
  csVolumesByVm: (w) => groupBy(w.cloudstack.volumes, (v) => v.virtualMachineId || null),
  sourceVmNames: (w) => {
    const names = new Set<string>();
    for (const c of w.database.contexts) names.add(c.vmName).add(sanitizeVmName(c.vmName));
    return names;
  },
};

/**
 * The lookup tables of a world. Build the index once per pass (`diffAll` and `planPass` do) and hand
 * it on: each table is built on its first use and then shared by every reconciler and gate, so a
 * pass pays once for the tables it needs and nothing for the others.
 */
export function indexWorld(world: World): WorldIndex {
  const index = { world, derived: new Map<string, unknown>() };
  for (const name of Object.keys(BUILDERS) as (keyof Builders)[]) {
    Object.defineProperty(index, name, {
      enumerable: true,
      configurable: true,
      get() {
        const table = BUILDERS[name](world);
        // Replace the getter by the built table: later reads are plain property reads.
        Object.defineProperty(index, name, { value: table, enumerable: true, writable: false });
        return table;
      },
    });
  }
  return index as unknown as WorldIndex;
}

/**
 * A value derived from the index and `key` (which must name every input besides the world), computed
 * once per index: rules several reconcilers share (the desired exports) are worked out once a pass.
 */
export function derivedOnce<T>(index: WorldIndex, key: string, compute: () => T): T {
  if (index.derived.has(key)) return index.derived.get(key) as T;
  const value = compute();
  index.derived.set(key, value);
  return value;
}
