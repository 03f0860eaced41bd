/**
 * Default minimum age of drift, per kind, before its actions may run, in seconds. A drift seen for
 * the first time may be a workflow between two steps (a volume created but not yet recorded, an
 * export written before its row); waiting one or more passes turns such races into no-ops.
 * Overridden per kind by `config.graceSeconds`, and for every kind by `--grace-seconds N`.
 */
import type { DriftKind } from '../../world/drift-kinds.js';

/** Defaults: destructive kinds wait; kinds whose actions only add or report do not. */
export const DEFAULT_GRACE_SECONDS: Readonly<Record<DriftKind, number>> = {
  'orphan-volume': 3600,
  'missing-volume': 0,
  'orphan-snapshot': 1800,
  'volume-attachment': 0,
  'orphan-nbd-export': 300,
  'missing-nbd-export': 0,
  'live-export-mismatch': 0,
  'device-mapping': 120,
  'orphan-row': 600,
  'stuck-replication-job': 0,
  'stuck-failover-job': 0,
  'leftover-test-vm': 1800,
  'cleanup-request': 0,
};
