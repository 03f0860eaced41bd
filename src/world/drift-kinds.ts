/** The thirteen drift kinds of the operator contract; each is one module in `reconcilers/`. */
export const DRIFT_KINDS = [
  'orphan-volume',
  'missing-volume',
  'orphan-snapshot',
  'volume-attachment',
  'orphan-nbd-export',
  'missing-nbd-export',
  'live-export-mismatch',
  'device-mapping',
  'orphan-row',
  'stuck-replication-job',
  'stuck-failover-job',
  'leftover-test-vm',
  'cleanup-request',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** Drift classes of the contract (a bounded metric label). */
export const DRIFT_CLASSES = ['orphan', 'missing', 'stale', 'stuck', 'mismatch', 'requested'] as const;
export type DriftClass = (typeof DRIFT_CLASSES)[number];

/** Gates, in the order they are applied; values of `blockedBy` in the plan. */
export const GATES = [
  'incomplete-source',
  'sanity',
  'ownership',
  'grace',
  'in-flight',
  'paused',
  'budget',
  'mode',
  'not-leader',
] as const;
export type Gate = (typeof GATES)[number];

/** The observed sources; each is read completely or marked incomplete with a reason. */
/** `volume-daemon`: whether volume moves go through the Volume Management Daemon (its operations are database rows). */
export const SOURCES = ['database', 'cloudstack', 'nbd', 'devices', 'volume-daemon'] as const;
export type SourceName = (typeof SOURCES)[number];
