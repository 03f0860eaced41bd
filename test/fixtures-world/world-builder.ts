/**
 * A pure in-memory World builder for reconciler and gate tests. `healthyContext()` lays down a
 * context in the state §8 of oma-system.md calls healthy (volumes on the OMA, device mappings,
 * exports configured and served, by-id links, ledger entries); tests then break one thing with
 * `patch`/`remove`/`add` and look at the drift. Times are relative to the fixed `NOW`.
 */
import type { Policy } from '../../src/reconcile/types.js';
import { SOURCES, type SourceName } from '../../src/world/drift-kinds.js';
import type {
  CleanupRequestRecord,
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
  NbdPendingChange,
  OsseaVolumeRow,
  ReplicationJobRow,
  SourceStatus,
  VmDiskRow,
  VmExportMappingRow,
  VolumeOperationRow,
  World,
} from '../../src/world/world.js';

/** The fixed clock of every fixture world. */
export const NOW = new Date('2026-03-02T12:00:00.000Z');
export const OMA_VM_ID = 'oma-vm';
export const BY_ID_DIR = '/dev/disk/by-id';
export const CONF_DIR = '/etc/nbd-server/conf.d';

/** ISO time `seconds` before NOW. */
export function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString();
}

/** The policy of the fixtures (the config defaults). */
export function testPolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    omaVmId: null,
    quarantineTtlSeconds: 7 * 24 * 3600,
    stuckReplicationSeconds: 1800,
    stuckFailoverSeconds: 1800,
    stuckVirtioSeconds: 7200,
    staleVolumeOperationSeconds: 3600,
    volumeOperationSettleSeconds: 60,
    applianceJobStaleSeconds: 1800,
    deviceByIdDir: BY_ID_DIR,
    stateDir: '/var/lib/oma-reconciler',
    nbdConfDir: CONF_DIR,
    ...overrides,
  };
}

/** The mutable collections of a world under construction. */
export interface Collections {
  contexts: ContextRow[];
  replicationJobs: ReplicationJobRow[];
  vmDisks: VmDiskRow[];
  osseaVolumes: OsseaVolumeRow[];
  deviceMappings: DeviceMappingRow[];
  nbdExports: NbdExportRow[];
  vmExportMappings: VmExportMappingRow[];
  failoverJobs: FailoverJobRow[];
  jobTracking: JobTrackingRow[];
  volumeOperations: VolumeOperationRow[];
  ledger: LedgerEntry[];
  cleanupRequests: CleanupRequestRecord[];
  volumes: CsVolume[];
  snapshots: CsSnapshot[];
  vms: CsVirtualMachine[];
  configured: NbdConfiguredExport[];
  pending: NbdPendingChange[];
  links: DeviceLink[];
}

type Row<K extends keyof Collections> = Collections[K][number];

/** The natural key of each collection, used by `patch` and `remove`. */
const KEYS: { [K in keyof Collections]: (row: Row<K>) => string } = {
  contexts: (r) => r.contextId,
  replicationJobs: (r) => r.id,
  vmDisks: (r) => r.id,
  osseaVolumes: (r) => r.volumeId,
  deviceMappings: (r) => r.volumeUuid,
  nbdExports: (r) => r.exportName,
  vmExportMappings: (r) => r.id,
  failoverJobs: (r) => r.jobId,
  jobTracking: (r) => r.id,
  volumeOperations: (r) => r.id,
  ledger: (r) => `${r.objectType}:${r.objectId}`,
  cleanupRequests: (r) => r.jobId,
  volumes: (r) => r.id,
  snapshots: (r) => r.id,
  vms: (r) => r.id,
  configured: (r) => r.name,
  pending: (r) => r.exportName,
  links: (r) => r.volumeId ?? r.name,
};

/** Builds fixture worlds; every method returns the builder. */
export class WorldBuilder {
  readonly c: Collections = {
    contexts: [],
    replicationJobs: [],
    vmDisks: [],
    osseaVolumes: [],
    deviceMappings: [],
    nbdExports: [],
    vmExportMappings: [],
    failoverJobs: [],
    jobTracking: [],
    volumeOperations: [],
    ledger: [],
    cleanupRequests: [],
    volumes: [],
    snapshots: [],
    vms: [],
    configured: [],
    pending: [],
    links: [],
  };
  omaVmId: string | null = OMA_VM_ID;
  liveExports: string[] | null = ['dummy'];
  sessions = 0;
  driftFirstSeen: Record<string, string> = {};
  previousInventory: Partial<Record<SourceName, number>> = {};
  readonly sources: Record<SourceName, SourceStatus & { inventoryOverride?: number }> = {
    database: { complete: true, inventory: 0 },
    cloudstack: { complete: true, inventory: 0 },
    nbd: { complete: true, inventory: 0 },
    devices: { complete: true, inventory: 0 },
    'volume-daemon': { complete: true, inventory: 0 },
  };

  constructor() {
    this.add('vms', {
      id: OMA_VM_ID,
      name: 'oma-appliance',
      displayName: 'OMA',
      state: 'Running',
      created: ago(90 * 86400),
    });
    this.add(
      'volumes',
      csVolume('oma-root', {
        name: 'ROOT-1',
        type: 'ROOT',
        virtualMachineId: OMA_VM_ID,
        vmName: 'oma-appliance',
        deviceId: 0,
      }),
    );
  }

  /** Appends a row/object to a collection. */
  add<K extends keyof Collections>(key: K, ...rows: Row<K>[]): this {
    (this.c[key] as Row<K>[]).push(...rows);
    return this;
  }

  /** Replaces fields of the row whose natural key is `id` (throws when absent, to keep tests honest). */
  patch<K extends keyof Collections>(key: K, id: string, fields: Partial<Row<K>>): this {
    const list = this.c[key] as Row<K>[];
    const i = list.findIndex((r) => KEYS[key](r) === id);
    if (i < 0) throw new Error(`no ${key} row ${id}`);
    list[i] = { ...list[i], ...fields } as Row<K>;
    return this;
  }

  /** Removes the row whose natural key is `id` (throws when absent). */
  remove(key: keyof Collections, id: string): this {
    const list: unknown[] = this.c[key];
    const keyOf = KEYS[key] as (row: unknown) => string;
    const i = list.findIndex((r) => keyOf(r) === id);
    if (i < 0) throw new Error(`no ${key} row ${id}`);
    list.splice(i, 1);
    return this;
  }

  /** Marks a source incomplete with an error. */
  incomplete(source: SourceName, error = `${source} unreachable`): this {
    this.sources[source] = { ...this.sources[source], complete: false, error };
    return this;
  }

  /** Overrides the inventory a source reports (sanity tests). */
  inventory(source: SourceName, count: number): this {
    this.sources[source] = { ...this.sources[source], inventoryOverride: count };
    return this;
  }

  /** Records when a drift id was first seen. */
  seen(driftId: string, at: string): this {
    this.driftFirstSeen[driftId] = at;
    return this;
  }

  /**
   * A healthy context `ctx-<name>` in `status` with `disks` volumes `vol-<name>-<n>` on the OMA, a
   * completed replication job `job-<name>`, device mappings, export rows/files/live entries, links
   * and ledger entries.
   */
  healthyContext(name: string, opts: { status?: string; disks?: number } = {}): this {
    const contextId = `ctx-${name}`;
    const jobId = `job-${name}`;
    this.add(
      'contexts',
      context(contextId, {
        vmName: name,
        currentStatus: opts.status ?? 'ready_for_failover',
        lastSuccessfulJobId: jobId,
      }),
    );
    this.add('replicationJobs', replicationJob(jobId, contextId, { status: 'completed', completedAt: ago(7200) }));
    for (let n = 0; n < (opts.disks ?? 1); n++) {
      const volumeId = `vol-${name}-${n}`;
      const path = `${BY_ID_DIR}/virtio-${volumeId.replace(/-/g, '').slice(0, 20)}`;
      const exportName = `migration-vol-${volumeId}`;
      this.add('osseaVolumes', {
        id: `${name}-${n}`,
        vmContextId: contextId,
        volumeId,
        volumeName: `migration-${name}-${name}-disk-${n}`,
        devicePath: path,
        status: 'attached',
        snapshotId: null,
        snapshotStatus: 'none',
      });
      this.add(
        'volumes',
        csVolume(volumeId, {
          name: `migration-${name}-${name}-disk-${n}`,
          virtualMachineId: OMA_VM_ID,
          vmName: 'oma-appliance',
          deviceId: n + 1,
        }),
      );
      this.add('deviceMappings', {
        id: `dm-${volumeId}`,
        vmContextId: contextId,
        volumeUuid: volumeId,
        vmId: OMA_VM_ID,
        operationMode: 'oma',
        devicePath: path,
        cloudstackDeviceId: null,
      });
      this.add('nbdExports', {
        id: `nbd-${volumeId}`,
        vmContextId: contextId,
        jobId,
        volumeId,
        vmDiskId: `${name}-${n}`,
        exportName,
        devicePath: path,
        configPath: `${CONF_DIR}/${exportName}.conf`,
        status: 'active',
      });
      this.add('configured', {
        name: exportName,
        file: `${CONF_DIR}/${exportName}.conf`,
        exportname: path,
        authfile: null,
        managed: false,
        denied: false,
      });
      this.add('links', {
        name: `virtio-${volumeId.replace(/-/g, '').slice(0, 20)}`,
        path,
        target: `/dev/vd${String.fromCharCode(98 + n)}`,
        volumeId,
        ambiguousWith: [],
        busy: [],
      });
      this.add('ledger', ledger('volume', volumeId, `ossea_volumes.volume_id of ${contextId}`));
      this.liveExports?.push(exportName);
    }
    return this;
  }

  /** The finished, frozen world. */
  build(): World {
    const c = this.c;
    const counts: Record<SourceName, number> = {
      database:
        c.contexts.length +
        c.replicationJobs.length +
        c.osseaVolumes.length +
        c.deviceMappings.length +
        c.nbdExports.length +
        c.failoverJobs.length,
      cloudstack: c.volumes.length + c.snapshots.length + c.vms.length,
      nbd: c.configured.length,
      devices: c.links.length,
      'volume-daemon': 0,
    };
    const sources = Object.fromEntries(
      SOURCES.map((s) => {
        const { inventoryOverride, ...status } = this.sources[s];
        return [s, { ...status, inventory: inventoryOverride ?? counts[s] }];
      }),
    ) as Record<SourceName, SourceStatus>;
    const world: World = {
      version: 1,
      observedAt: NOW.toISOString(),
      sources,
      omaVmId: this.omaVmId,
      database: {
        omaVmId: this.omaVmId,
        contexts: [...c.contexts],
        replicationJobs: [...c.replicationJobs],
        vmDisks: [...c.vmDisks],
        osseaVolumes: [...c.osseaVolumes],
        deviceMappings: [...c.deviceMappings],
        nbdExports: [...c.nbdExports],
        vmExportMappings: [...c.vmExportMappings],
        failoverJobs: [...c.failoverJobs],
        jobTracking: [...c.jobTracking],
        volumeOperations: [...c.volumeOperations],
        ledger: [...c.ledger],
        driftFirstSeen: { ...this.driftFirstSeen },
        cleanupRequests: [...c.cleanupRequests],
      },
      cloudstack: { volumes: [...c.volumes], snapshots: [...c.snapshots], virtualMachines: [...c.vms] },
      nbd: {
        configured: [...c.configured],
        parseErrors: [],
        pending: [...c.pending],
        server: {
          running: this.liveExports !== null,
          pid: 4242,
          version: '3.24',
          sessions: this.sessions,
          liveExports: this.liveExports ? [...this.liveExports] : null,
        },
      },
      devices: { links: [...c.links] },
      previousInventory: { ...this.previousInventory },
    };
    return structuredClone(world);
  }
}

/** A context row with defaults. */
export function context(contextId: string, fields: Partial<ContextRow> = {}): ContextRow {
  return {
    contextId,
    vmName: contextId.replace(/^ctx-/, ''),
    vmwareVmId: `420${contextId.length}`,
    currentStatus: 'ready_for_failover',
    currentJobId: null,
    lastSuccessfulJobId: null,
    updatedAt: ago(3600),
    annotations: {},
    ...fields,
  };
}

/** A replication job row with defaults (updated 10 minutes ago). */
export function replicationJob(
  id: string,
  vmContextId: string,
  fields: Partial<ReplicationJobRow> = {},
): ReplicationJobRow {
  return {
    id,
    vmContextId,
    status: 'replicating',
    replicationType: 'incremental',
    currentOperation: null,
    errorMessage: null,
    createdAt: ago(7200),
    updatedAt: ago(600),
    completedAt: null,
    vmaLastPollAt: null,
    annotations: {},
    ...fields,
  };
}

/** A CloudStack volume with defaults (Ready, 10 GiB, detached). */
export function csVolume(id: string, fields: Partial<CsVolume> = {}): CsVolume {
  return {
    id,
    name: `migration-${id}`,
    type: 'DATADISK',
    state: 'Ready',
    sizeBytes: 10 * 2 ** 30,
    virtualMachineId: null,
    vmName: null,
    vmState: null,
    deviceId: null,
    created: ago(86400),
    tags: {},
    ...fields,
  };
}

/** A failover job row with defaults (test, pending, created an hour ago). */
export function failoverJob(jobId: string, vmContextId: string, fields: Partial<FailoverJobRow> = {}): FailoverJobRow {
  return {
    id: `${jobId}-row`,
    vmContextId,
    jobId,
    vmId: '4201',
    replicationJobId: null,
    jobType: 'test',
    status: 'pending',
    sourceVmName: vmContextId.replace(/^ctx-/, ''),
    destinationVmId: null,
    osseaSnapshotId: null,
    errorMessage: null,
    createdAt: ago(3600),
    updatedAt: ago(3600),
    annotations: {},
    ...fields,
  };
}

/** A job_tracking row with defaults (running, active a minute ago). */
export function jobTracking(id: string, fields: Partial<JobTrackingRow> = {}): JobTrackingRow {
  return {
    id,
    jobType: 'failover',
    operation: 'unified-test-failover',
    status: 'running',
    contextId: null,
    errorMessage: null,
    startedAt: ago(3600),
    lastActivityAt: ago(60),
    currentStep: 'vm-creation',
    ...fields,
  };
}

/** A ledger entry recorded a day ago. */
export function ledger(
  objectType: LedgerEntry['objectType'],
  objectId: string,
  reason = 'recorded by a test',
): LedgerEntry {
  return { objectType, objectId, firstSeenAt: ago(86400), reason, adopted: false };
}
