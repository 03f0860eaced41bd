/**
 * Contracts of the reconcile path: drift items with evidence and proposed actions (from the pure
 * reconcilers), gate decisions, and the plan JSON of the operator contract.
 */
import type { Mode } from '../config/config-schema.js';
import type { DriftClass, DriftKind, Gate, SourceName } from '../world/drift-kinds.js';

/** What a drift item is about (the middle part of its id). */
export const SUBJECT_TYPES = [
  'volume',
  'snapshot',
  'vm',
  'nbd-export',
  'device-mapping',
  'row',
  'replication-job',
  'failover-job',
  'vm-context',
] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export interface Subject {
  readonly type: SubjectType;
  readonly id: string;
  readonly name: string | null;
}

export interface Evidence {
  readonly source: SourceName | 'ledger';
  readonly fact: string;
}

/**
 * What an actuator must do, as data. `action` is a bounded verb phrase (a metric label); `params`
 * carries the ids the actuator needs and the expected preconditions it re-checks before acting.
 */
export type ActionSpec =
  | {
      readonly action: 'quarantine-volume';
      readonly params: { readonly volumeId: string; readonly detachFromVmId: string | null };
    }
  | { readonly action: 'delete-volume'; readonly params: { readonly volumeId: string } }
  | { readonly action: 'delete-snapshot'; readonly params: { readonly snapshotId: string; readonly volumeId: string } }
  | {
      readonly action: 'attach-volume-to-oma';
      readonly params: { readonly volumeId: string; readonly omaVmId: string };
    }
  | {
      readonly action: 'remove-nbd-export';
      readonly params: { readonly exportName: string; readonly file: string | null; readonly rowId: string | null };
    }
  | {
      readonly action: 'add-nbd-export';
      readonly params: {
        readonly exportName: string;
        readonly devicePath: string;
        readonly volumeId: string;
        readonly contextId: string;
        readonly rowId: string | null;
      };
    }
  | { readonly action: 'restart-nbd-server'; readonly params: { readonly reason: string } }
  | { readonly action: 'delete-device-mapping'; readonly params: { readonly id: string; readonly volumeUuid: string } }
  | {
      readonly action: 'create-device-mapping';
      readonly params: {
        readonly volumeUuid: string;
        readonly vmId: string;
        readonly contextId: string;
        readonly devicePath: string;
        readonly operationMode: 'oma' | 'failover';
      };
    }
  | {
      readonly action: 'update-device-mapping';
      readonly params: {
        readonly id: string;
        readonly volumeUuid: string;
        readonly vmId: string;
        readonly devicePath: string;
        readonly operationMode: 'oma' | 'failover';
      };
    }
  | {
      readonly action: 'delete-row';
      readonly params: { readonly table: 'nbd_exports' | 'vm_export_mappings' | 'ossea_volumes'; readonly id: string };
    }
  | { readonly action: 'fail-volume-operation'; readonly params: { readonly id: string } }
  | {
      readonly action: 'mark-replication-job-failed';
      readonly params: {
        readonly jobId: string;
        readonly contextId: string;
        readonly fromStatus: string;
        readonly reason: string;
      };
    }
  | { readonly action: 'clear-current-job'; readonly params: { readonly contextId: string; readonly jobId: string } }
  | {
      readonly action: 'run-failed-execution-cleanup';
      readonly params: { readonly contextId: string; readonly failoverJobId: string; readonly vmName: string };
    }
  | {
      readonly action: 'run-replication-job-cleanup';
      readonly params: { readonly contextId: string; readonly jobId: string; readonly keepVolumes: boolean };
    }
  | {
      readonly action: 'refuse-cleanup-request';
      readonly params: {
        readonly jobId: string;
        readonly table: 'replication_jobs' | 'failover_jobs';
        readonly reason: string;
      };
    }
  | { readonly action: 'destroy-test-vm'; readonly params: { readonly vmId: string } };

export type ActionVerb = ActionSpec['action'];

/**
 * Every action verb of ActionSpec. A `Record` over the union makes the list exhaustive:
 * adding a verb to ActionSpec without listing it here fails the type check.
 */
const VERBS: Readonly<Record<ActionVerb, true>> = {
  'quarantine-volume': true,
  'delete-volume': true,
  'delete-snapshot': true,
  'attach-volume-to-oma': true,
  'remove-nbd-export': true,
  'add-nbd-export': true,
  'restart-nbd-server': true,
  'delete-device-mapping': true,
  'create-device-mapping': true,
  'update-device-mapping': true,
  'delete-row': true,
  'fail-volume-operation': true,
  'mark-replication-job-failed': true,
  'clear-current-job': true,
  'run-failed-execution-cleanup': true,
  'run-replication-job-cleanup': true,
  'refuse-cleanup-request': true,
  'destroy-test-vm': true,
};

/** The action verbs, as runtime values. */
export const ACTION_VERBS = Object.keys(VERBS) as readonly ActionVerb[];

/**
 * The ownership evidence an action carries (N of N must hold). Each check is a named fact the
 * reconciler established from the world; the ownership gate blocks when any is false.
 */
export interface OwnershipChecks {
  readonly inLedger: boolean;
  readonly namedLikeOurs: boolean;
  readonly noReferencingRow: boolean;
  readonly notOmaRootVolume: boolean;
  readonly notLiveFailoverVm: boolean;
}

/** An action a reconciler proposes (before gates). */
export type ProposedAction = ActionSpec & {
  readonly destructive: boolean;
  /** Present on destructive actions against CloudStack objects. */
  readonly ownership?: OwnershipChecks;
  /** Earliest time the action may run (e.g. quarantine TTL), beyond the kind's grace. */
  readonly notBefore?: string;
};

/** What a reconciler found. `id` is stable across passes: `<kind>:<subject type>:<subject id>`. */
export interface DriftItem {
  readonly id: string;
  readonly kind: DriftKind;
  readonly class: DriftClass;
  readonly subject: Subject;
  /** The VM context the subject belongs to, for the in-flight and paused gates. */
  readonly contextId: string | null;
  readonly evidence: readonly Evidence[];
  readonly actions: readonly ProposedAction[];
  /** Why nothing is proposed, or what an operator can do (e.g. how to adopt a volume). */
  readonly note?: string;
}

/** The policy reconcilers read (derived from config; no I/O). */
export interface Policy {
  readonly omaVmId: string | null;
  readonly quarantineTtlSeconds: number;
  readonly stuckReplicationSeconds: number;
  readonly stuckFailoverSeconds: number;
  readonly stuckVirtioSeconds: number;
  readonly staleVolumeOperationSeconds: number;
  /** How long a finished Volume Daemon operation still holds its volume, seconds. */
  readonly volumeOperationSettleSeconds: number;
  /** A running job of the OMA's own (cleanup, rollback, failover) idle this long no longer holds its VM, seconds. */
  readonly applianceJobStaleSeconds: number;
  /** Directory of by-id links, to build `/dev/disk/by-id/virtio-…` paths. */
  readonly deviceByIdDir: string;
  /** STATE_DIR, where reconciler-managed authfiles live. */
  readonly stateDir: string;
  readonly nbdConfDir: string;
}

/** One gate's verdict on one action (the gate trail `explain` shows). */
export interface GateCheck {
  readonly gate: Gate;
  readonly passed: boolean;
  readonly detail: string;
}

/** An action after the gates. */
export type GatedAction = ProposedAction & {
  readonly decision: 'run' | 'blocked';
  readonly blockedBy: Gate | null;
  /** Human reason of the block (gate detail). */
  readonly blockedReason: string | null;
  /** True when only the mode gate held it back in dry-run: it would run in enforce mode. */
  readonly dryRun?: boolean;
  /** The gates evaluated, in order, up to and including the first that blocked. */
  readonly trail?: readonly GateCheck[];
};

export type GatedDrift = Omit<DriftItem, 'actions'> & {
  readonly firstSeenAt: string | null;
  readonly actions: readonly GatedAction[];
};

/** The plan JSON of the operator contract (`plan --output json`, `GET /api/v1/plan`). */
export interface PlanJson {
  readonly observedAt: string;
  readonly mode: Mode;
  readonly sources: Readonly<Record<SourceName, { readonly complete: boolean; readonly error?: string }>>;
  readonly drift: readonly {
    readonly id: string;
    readonly kind: DriftKind;
    readonly class: DriftClass;
    readonly subject: Subject;
    readonly firstSeenAt: string | null;
    readonly evidence: readonly Evidence[];
    readonly actions: readonly {
      readonly action: ActionVerb;
      readonly destructive: boolean;
      readonly decision: 'run' | 'blocked';
      readonly blockedBy: Gate | null;
    }[];
    readonly note?: string;
  }[];
  /** `complete`: every source the evaluated kinds need was read completely (else the drift list is partial). */
  readonly summary: {
    readonly drift: number;
    readonly actionsToRun: number;
    readonly actionsBlocked: number;
    readonly complete: boolean;
  };
}
