/**
 * The world snapshot: everything one observation pass learned, as plain readonly JSON-safe data.
 * Reconcilers are pure functions of it; it can be saved to `STATE_DIR/worlds/` and replayed
 * (`plan --world FILE`). Times are ISO-8601 strings (UTC) so a saved world replays identically.
 * Secrets never enter a world.
 */
import type { SourceName } from './drift-kinds.js';

/** Whether a source was read completely. An incomplete source is never treated as empty. */
export interface SourceStatus {
  readonly complete: boolean;
  /** Why it is incomplete (first error), absent when complete. */
  readonly error?: string;
  /** Number of objects read (used by the sanity gate to spot an inventory that shrank). */
  readonly inventory: number;
}

/** `annotations` JSON column of contexts, replication jobs and failover jobs (string values only). */
export type Annotations = Readonly<Record<string, string>>;

export interface ContextRow {
  readonly contextId: string;
  readonly vmName: string;
  readonly vmwareVmId: string;
  readonly currentStatus: string;
  readonly currentJobId: string | null;
  readonly lastSuccessfulJobId: string | null;
  readonly updatedAt: string;
  readonly annotations: Annotations;
}

export interface ReplicationJobRow {
  readonly id: string;
  readonly vmContextId: string;
  readonly status: string;
  readonly replicationType: string;
  readonly currentOperation: string | null;
  readonly errorMessage: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly completedAt: string | null;
  readonly vmaLastPollAt: string | null;
  readonly annotations: Annotations;
}

export interface VmDiskRow {
  readonly id: string;
  readonly vmContextId: string;
  readonly jobId: string | null;
  readonly diskId: string;
  readonly osseaVolumeId: string | null;
}

export interface OsseaVolumeRow {
  readonly id: string;
  readonly vmContextId: string;
  readonly volumeId: string;
  readonly volumeName: string | null;
  readonly devicePath: string | null;
  readonly status: string;
  readonly snapshotId: string | null;
  readonly snapshotStatus: string | null;
}

export interface DeviceMappingRow {
  readonly id: string;
  readonly vmContextId: string | null;
  readonly volumeUuid: string;
  readonly vmId: string;
  readonly operationMode: 'oma' | 'failover';
  readonly devicePath: string;
  readonly cloudstackDeviceId: number | null;
}

export interface NbdExportRow {
  readonly id: string;
  readonly vmContextId: string;
  readonly jobId: string | null;
  readonly volumeId: string;
  readonly vmDiskId: string | null;
  readonly exportName: string;
  readonly devicePath: string;
  readonly configPath: string;
  readonly status: string;
}

export interface VmExportMappingRow {
  readonly id: string;
  readonly vmName: string | null;
  readonly exportName: string;
  readonly devicePath: string;
  readonly status: string;
}

export interface FailoverJobRow {
  readonly id: string;
  readonly vmContextId: string;
  readonly jobId: string;
  readonly vmId: string;
  readonly replicationJobId: string | null;
  readonly jobType: 'live' | 'test';
  readonly status: string;
  readonly sourceVmName: string;
  readonly destinationVmId: string | null;
  readonly osseaSnapshotId: string | null;
  readonly errorMessage: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly annotations: Annotations;
}

/** A `job_tracking` row of interest (failover/cleanup jobs, and any row a failover job points at). */
export interface JobTrackingRow {
  readonly id: string;
  readonly jobType: string;
  readonly operation: string;
  readonly status: string;
  readonly contextId: string | null;
  readonly errorMessage: string | null;
  readonly startedAt: string | null;
  /** Newest of started_at, step start/completion and log event times: the liveness signal. */
  readonly lastActivityAt: string | null;
  /** Name of the newest job step, e.g. `virtio-driver-injection`. */
  readonly currentStep: string | null;
  /** `owner`: `system`/`api` for the OMA's own jobs, `oma-reconciler` for ours (absent in worlds saved before it was read). */
  readonly owner?: string | null;
  /** `external_job_id` (`<operation>-<vm name>-<unix>` for the OMA's GUI jobs): how a job without a context id names its VM. */
  readonly externalJobId?: string | null;
}

/** A `volume_operations` row: every open one, and those that ended within the last hour. */
export interface VolumeOperationRow {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly volumeId: string;
  readonly vmId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * An open operation of oma-reconciler's own whose writer (its database session) has ended: it
   * will never be finished, holds nothing, and is failed at once. Absent = false.
   */
  readonly writerGone?: boolean;
}

/** One ownership-ledger entry: a CloudStack object the OMA database referenced at some time. */
export interface LedgerEntry {
  readonly objectType: 'volume' | 'snapshot' | 'vm';
  readonly objectId: string;
  readonly firstSeenAt: string;
  readonly reason: string;
  /** Set when an operator adopted an object that only looked ours. */
  readonly adopted: boolean;
}

/** A cleanup request record (the reconciler's own table; outlives the annotated row). */
export interface CleanupRequestRecord {
  readonly jobId: string;
  readonly jobKind: 'replication' | 'failover';
  readonly status: 'accepted' | 'running' | 'done' | 'failed' | 'refused';
  readonly message: string | null;
  readonly requestedBy: string | null;
  readonly keepVolumes: boolean;
  readonly updatedAt: string;
}

/** What the database says. */
export interface DatabaseFacts {
  /** Active `ossea_configs` row (no secrets): the OMA VM id the appliance believes in. */
  readonly omaVmId: string | null;
  readonly contexts: readonly ContextRow[];
  readonly replicationJobs: readonly ReplicationJobRow[];
  readonly vmDisks: readonly VmDiskRow[];
  readonly osseaVolumes: readonly OsseaVolumeRow[];
  readonly deviceMappings: readonly DeviceMappingRow[];
  readonly nbdExports: readonly NbdExportRow[];
  readonly vmExportMappings: readonly VmExportMappingRow[];
  readonly failoverJobs: readonly FailoverJobRow[];
  readonly jobTracking: readonly JobTrackingRow[];
  readonly volumeOperations: readonly VolumeOperationRow[];
  readonly ledger: readonly LedgerEntry[];
  /** Drift id → first time it was seen (ISO). */
  readonly driftFirstSeen: Readonly<Record<string, string>>;
  readonly cleanupRequests: readonly CleanupRequestRecord[];
}

export interface CsVolume {
  readonly id: string;
  readonly name: string;
  /** `ROOT` or `DATADISK`. */
  readonly type: string;
  readonly state: string;
  readonly sizeBytes: number;
  readonly virtualMachineId: string | null;
  readonly vmName: string | null;
  readonly vmState: string | null;
  readonly deviceId: number | null;
  readonly created: string | null;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * The async job CloudStack shows pending on the volume (`jobid` with `jobstatus` 0): someone's move
   * is still running on it. Absent when none (and in worlds saved before it was read).
   */
  readonly pendingJobId?: string;
}

export interface CsSnapshot {
  readonly id: string;
  readonly name: string;
  readonly volumeId: string;
  readonly state: string;
  readonly revertable: boolean | null;
  readonly created: string | null;
}

export interface CsVirtualMachine {
  readonly id: string;
  readonly name: string;
  readonly displayName: string | null;
  readonly state: string;
  readonly created: string | null;
}

/** What CloudStack says (full paged listings). */
export interface CloudStackFacts {
  readonly volumes: readonly CsVolume[];
  readonly snapshots: readonly CsSnapshot[];
  readonly virtualMachines: readonly CsVirtualMachine[];
}

/** One export section found in a config file. */
export interface NbdConfiguredExport {
  readonly name: string;
  readonly file: string;
  readonly exportname: string | null;
  readonly authfile: string | null;
  /** True when the reconciler wrote it (authfile under STATE_DIR). */
  readonly managed: boolean;
  /** True when its authfile is empty (new connections are refused). */
  readonly denied: boolean;
}

/** A change the server has not taken yet (removals wait for an idle restart; on ≤ 3.24 additions too). */
export interface NbdPendingChange {
  readonly exportName: string;
  readonly change: 'add' | 'remove' | 'update';
  readonly since: string;
  readonly reason: string;
}

/** What nbd-server's files and the running server say. */
export interface NbdFacts {
  readonly configured: readonly NbdConfiguredExport[];
  /** Files that could not be parsed (the source is then incomplete). */
  readonly parseErrors: readonly { readonly file: string; readonly error: string }[];
  readonly server: {
    readonly running: boolean;
    readonly pid: number | null;
    readonly version: string | null;
    readonly sessions: number | null;
    /** Export names the server lists in memory; null when it could not be listed. */
    readonly liveExports: readonly string[] | null;
    /** Why the server is not running or could not be listed (stale pid file, listing denied…). */
    readonly problem?: string;
  };
  readonly pending: readonly NbdPendingChange[];
}

/** One by-id link. */
export interface DeviceLink {
  readonly name: string;
  readonly path: string;
  readonly target: string | null;
  /** The volume it maps to by the 20-hex serial prefix rule; null when none or ambiguous. */
  readonly volumeId: string | null;
  /** All known volume ids with that prefix when more than one matched. */
  readonly ambiguousWith: readonly string[];
  /** Processes/mounts/holders using the device; non-empty means busy. */
  readonly busy: readonly string[];
}

export interface DeviceFacts {
  readonly links: readonly DeviceLink[];
}

/**
 * The Volume Management Daemon as this pass found it: which path volume moves take. Its operations
 * are `database.volumeOperations`. Incomplete (`path: unavailable`) only when it is required and
 * does not answer: volume actions then stand down.
 */
export interface VolumeDaemonFacts {
  /** `daemon`: moves go through it; `direct`: we write its bookkeeping ourselves; `unavailable`: required but not answering. */
  readonly path: 'daemon' | 'direct' | 'unavailable';
  readonly configuredMode: 'auto' | 'required' | 'off';
  readonly url: string;
  /** Why it is not used (direct/unavailable), null when it is. */
  readonly reason: string | null;
}

/** One observation pass. */
export interface World {
  readonly version: 1;
  readonly observedAt: string;
  readonly sources: Readonly<Record<SourceName, SourceStatus>>;
  /** The OMA VM id in force (environment override, else the active ossea_configs row). */
  readonly omaVmId: string | null;
  readonly database: DatabaseFacts;
  readonly cloudstack: CloudStackFacts;
  readonly nbd: NbdFacts;
  readonly devices: DeviceFacts;
  /** Absent in worlds saved before the Volume Daemon was a source (read as not in use). */
  readonly volumeDaemon?: VolumeDaemonFacts;
  /** Source inventories of the last pass whose sources were complete (sanity gate baseline). */
  readonly previousInventory: Readonly<Partial<Record<SourceName, number>>>;
  /**
   * Gate inputs that come from the reconciler's own records rather than the sources, kept in the
   * world so a saved world replays to the same plan offline.
   */
  readonly passContext?: {
    /** Destructive actions of each kind that ran in the hour before this pass. */
    readonly recentDestructiveByKind: Readonly<Record<string, number>>;
    /** Mode ceiling left by a budget trip until an operator resets it (null = none). */
    readonly modeCeiling: 'dry-run' | 'observe' | null;
    /** Subjects an operator's undo holds (subject id → why, and how to release); absent in older saved worlds. */
    readonly undoHolds?: Readonly<Record<string, string>>;
  };
}
