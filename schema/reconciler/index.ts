import type { Migration } from 'kysely';
import { addReplicationJobsAnnotations } from './0001-add-replication-jobs-annotations.js';
import { addFailoverJobsAnnotations } from './0002-add-failover-jobs-annotations.js';
import { addVmReplicationContextsAnnotations } from './0003-add-vm-replication-contexts-annotations.js';
import { addFkFailoverReplication } from './0004-add-fk-failover-replication.js';
import { createOmaReconcilerActions } from './0005-create-oma-reconciler-actions.js';
import { createOmaReconcilerDrift } from './0006-create-oma-reconciler-drift.js';
import { createOmaReconcilerLedger } from './0007-create-oma-reconciler-ledger.js';
import { createOmaReconcilerCleanupRequests } from './0008-create-oma-reconciler-cleanup-requests.js';
import { createOmaReconcilerInventory } from './0009-create-oma-reconciler-inventory.js';
import { createOmaReconcilerState } from './0010-create-oma-reconciler-state.js';
import { addAbandonedActionOutcome } from './0011-add-abandoned-action-outcome.js';
import { createOmaReconcilerNotifications } from './0012-create-oma-reconciler-notifications.js';

/**
 * Migrations `oma-reconciler migrate` applies to a real `migratekit_oma` (recorded in
 * `oma_reconciler_migrations`): the `annotations` columns, `fk_failover_replication`, and the
 * reconciler's own `oma_reconciler_*` tables. Every statement is re-runnable (`IF NOT EXISTS`), and
 * Kysely's Migrator holds `GET_LOCK` while they run. Never rename or remove an entry: a database
 * listing a name this build does not know is refused as newer (`SchemaNewerError`).
 */
export const reconcilerMigrations: Record<string, Migration> = {
  '0001-add-replication-jobs-annotations': addReplicationJobsAnnotations,
  '0002-add-failover-jobs-annotations': addFailoverJobsAnnotations,
  '0003-add-vm-replication-contexts-annotations': addVmReplicationContextsAnnotations,
  '0004-add-fk-failover-replication': addFkFailoverReplication,
  '0005-create-oma-reconciler-actions': createOmaReconcilerActions,
  '0006-create-oma-reconciler-drift': createOmaReconcilerDrift,
  '0007-create-oma-reconciler-ledger': createOmaReconcilerLedger,
  '0008-create-oma-reconciler-cleanup-requests': createOmaReconcilerCleanupRequests,
  '0009-create-oma-reconciler-inventory': createOmaReconcilerInventory,
  '0010-create-oma-reconciler-state': createOmaReconcilerState,
  '0011-add-abandoned-action-outcome': addAbandonedActionOutcome,
  '0012-create-oma-reconciler-notifications': createOmaReconcilerNotifications,
};
