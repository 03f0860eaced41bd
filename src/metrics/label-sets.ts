/**
 * The bounded label values of every contract metric, in one place. The registry initialises each
 * combination to 0 at start-up (so a rate() never starts from a missing series) and the adapters
 * fold anything unexpected into `other` (so a label can never carry an object id).
 */
import type { ActionVerb } from '../reconcile/types.js';
import type { DriftClass, DriftKind } from '../world/drift-kinds.js';

/**
 * The drift classes each kind reports (the `drift_objects{kind,class}` series initialised to 0).
 * A reconciler reporting another pair is still counted; this list only decides what exists at 0.
 */
export const KIND_CLASSES: Readonly<Record<DriftKind, readonly DriftClass[]>> = {
  'orphan-volume': ['orphan'],
  'missing-volume': ['missing'],
  'orphan-snapshot': ['orphan'],
  'volume-attachment': ['mismatch', 'missing'],
  'orphan-nbd-export': ['orphan'],
  'missing-nbd-export': ['missing'],
  'live-export-mismatch': ['mismatch', 'stale'],
  'device-mapping': ['missing', 'stale', 'mismatch'],
  'orphan-row': ['orphan', 'stale'],
  'stuck-replication-job': ['stuck'],
  'stuck-failover-job': ['stuck'],
  'leftover-test-vm': ['orphan'],
  'cleanup-request': ['requested'],
};

/** The action verbs each kind may propose (the `actions_total{kind,action,result}` series at 0). */
export const KIND_ACTIONS: Readonly<Record<DriftKind, readonly ActionVerb[]>> = {
  'orphan-volume': ['quarantine-volume', 'delete-volume'],
  'missing-volume': ['delete-row'],
  'orphan-snapshot': ['delete-snapshot'],
  'volume-attachment': ['attach-volume-to-oma', 'quarantine-volume'],
  'orphan-nbd-export': ['remove-nbd-export', 'delete-row', 'restart-nbd-server'],
  'missing-nbd-export': ['add-nbd-export', 'restart-nbd-server'],
  'live-export-mismatch': ['restart-nbd-server'],
  'device-mapping': ['create-device-mapping', 'update-device-mapping', 'delete-device-mapping'],
  'orphan-row': ['delete-row', 'fail-volume-operation'],
  'stuck-replication-job': ['mark-replication-job-failed', 'clear-current-job'],
  'stuck-failover-job': ['run-failed-execution-cleanup'],
  'leftover-test-vm': ['destroy-test-vm'],
  'cleanup-request': ['run-replication-job-cleanup', 'run-failed-execution-cleanup', 'refuse-cleanup-request'],
};

/** CloudStack API commands the daemon issues; anything else is counted as `other`. */
export const CLOUDSTACK_COMMANDS = [
  'listVolumes',
  'listSnapshots',
  'listVirtualMachines',
  'listVMSnapshot',
  'listTags',
  'listAsyncJobs',
  'queryAsyncJobResult',
  'attachVolume',
  'detachVolume',
  'deleteVolume',
  'destroyVolume',
  'recoverVolume',
  'createSnapshot',
  'deleteSnapshot',
  'revertSnapshot',
  'startVirtualMachine',
  'stopVirtualMachine',
  'destroyVirtualMachine',
  'createTags',
  'deleteTags',
  'other',
] as const;
export type CloudStackCommand = (typeof CLOUDSTACK_COMMANDS)[number];

/** Outcome of one CloudStack request, as the client's metrics port defines it. */
export { CLOUDSTACK_OUTCOMES, type CloudStackOutcome } from '../cloudstack/cloudstack-metrics.js';
