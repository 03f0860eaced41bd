import type { TableShape } from './table-shape.js';

/** The reconciler's own tables, as `schema/reconciler` creates them (our design, written down once). */
export const EXPECTED_RECONCILER_TABLES: Readonly<Record<string, TableShape>> = {
  oma_reconciler_actions: {
    collation: 'utf8mb4_general_ci',
    columns: [
      'id bigint(20) unsigned NOT NULL AUTO_INCREMENT',
      'pass_id varchar(64) NOT NULL',
      'drift_id varchar(191) NULL DEFAULT NULL',
      'kind varchar(64) NOT NULL',
      'action varchar(100) NOT NULL',
      'subject_type varchar(32) NOT NULL',
      'subject_id varchar(255) NOT NULL',
      'subject_name varchar(255) NULL DEFAULT NULL',
      'context_id varchar(64) NULL DEFAULT NULL',
      'intent longtext NOT NULL COLLATE utf8mb4_bin',
      "outcome enum('pending','success','error','dry_run','blocked','undone','abandoned') NOT NULL DEFAULT 'pending'",
      'error text NULL DEFAULT NULL',
      'reversible tinyint(1) NOT NULL DEFAULT 0',
      'undo_data longtext NULL DEFAULT NULL COLLATE utf8mb4_bin',
      'undo_of bigint(20) unsigned NULL DEFAULT NULL',
      'actor varchar(100) NOT NULL',
      'leader_host varchar(255) NULL DEFAULT NULL',
      'created_at datetime(3) NOT NULL DEFAULT current_timestamp(3)',
      'finished_at datetime(3) NULL DEFAULT NULL',
    ],
    indexes: [
      'UNIQUE PRIMARY (id)',
      'idx_oma_reconciler_actions_context (context_id)',
      'idx_oma_reconciler_actions_created_at (created_at)',
      'idx_oma_reconciler_actions_drift (drift_id)',
      'idx_oma_reconciler_actions_outcome (outcome)',
      'idx_oma_reconciler_actions_pass (pass_id)',
      'idx_oma_reconciler_actions_subject (subject_id)',
    ],
    foreignKeys: [],
    checks: [
      'intent: json_valid(`intent`)',
      'undo_data: json_valid(`undo_data`)',
    ],
  },
  oma_reconciler_drift: {
    collation: 'utf8mb4_general_ci',
    columns: [
      'drift_id varchar(191) NOT NULL',
      'kind varchar(64) NOT NULL',
      'subject_type varchar(32) NOT NULL',
      'subject_id varchar(255) NOT NULL',
      'subject_name varchar(255) NULL DEFAULT NULL',
      'first_seen_at datetime(3) NOT NULL',
      'last_seen_at datetime(3) NOT NULL',
      'resolved_at datetime(3) NULL DEFAULT NULL',
    ],
    indexes: [
      'UNIQUE PRIMARY (drift_id)',
      'idx_oma_reconciler_drift_kind (kind)',
      'idx_oma_reconciler_drift_resolved (resolved_at)',
    ],
    foreignKeys: [],
    checks: [],
  },
  oma_reconciler_ledger: {
    collation: 'utf8mb4_general_ci',
    columns: [
      "object_type enum('volume','snapshot','vm') NOT NULL",
      'object_id varchar(191) NOT NULL',
      'first_seen_at datetime(3) NOT NULL',
      'last_seen_at datetime(3) NOT NULL',
      'reason varchar(500) NOT NULL',
      'adopted tinyint(1) NOT NULL DEFAULT 0',
      'adopted_by varchar(255) NULL DEFAULT NULL',
    ],
    indexes: [
      'UNIQUE PRIMARY (object_type,object_id)',
      'idx_oma_reconciler_ledger_object_id (object_id)',
    ],
    foreignKeys: [],
    checks: [],
  },
  oma_reconciler_cleanup_requests: {
    collation: 'utf8mb4_general_ci',
    columns: [
      'job_id varchar(255) NOT NULL',
      "job_kind enum('replication','failover') NOT NULL",
      'context_id varchar(64) NULL DEFAULT NULL',
      'vm_name varchar(255) NULL DEFAULT NULL',
      "status enum('accepted','running','done','failed','refused') NOT NULL DEFAULT 'accepted'",
      'message text NULL DEFAULT NULL',
      'requested_by varchar(255) NULL DEFAULT NULL',
      'keep_volumes tinyint(1) NOT NULL DEFAULT 0',
      'cancelled tinyint(1) NOT NULL DEFAULT 0',
      'analysis longtext NULL DEFAULT NULL COLLATE utf8mb4_bin',
      'journal longtext NULL DEFAULT NULL COLLATE utf8mb4_bin',
      'tracking_job_id varchar(64) NULL DEFAULT NULL',
      'created_at datetime(3) NOT NULL DEFAULT current_timestamp(3)',
      'updated_at datetime(3) NOT NULL DEFAULT current_timestamp(3) ON UPDATE CURRENT_TIMESTAMP(3)',
    ],
    indexes: [
      'UNIQUE PRIMARY (job_id)',
      'idx_oma_reconciler_cleanup_requests_context (context_id)',
      'idx_oma_reconciler_cleanup_requests_status (status)',
      'idx_oma_reconciler_cleanup_requests_vm_name (vm_name)',
    ],
    foreignKeys: [],
    checks: [
      'analysis: json_valid(`analysis`)',
      'journal: json_valid(`journal`)',
    ],
  },
  oma_reconciler_inventory: {
    collation: 'utf8mb4_general_ci',
    columns: [
      'source varchar(32) NOT NULL',
      'count bigint(20) NOT NULL',
      'observed_at datetime(3) NOT NULL',
    ],
    indexes: [
      'UNIQUE PRIMARY (source)',
    ],
    foreignKeys: [],
    checks: [],
  },
  oma_reconciler_state: {
    collation: 'utf8mb4_general_ci',
    columns: [
      'key varchar(191) NOT NULL',
      'value longtext NOT NULL COLLATE utf8mb4_bin',
      'updated_at datetime(3) NOT NULL DEFAULT current_timestamp(3) ON UPDATE CURRENT_TIMESTAMP(3)',
    ],
    indexes: [
      'UNIQUE PRIMARY (key)',
    ],
    foreignKeys: [],
    checks: [
      'value: json_valid(`value`)',
    ],
  },
  oma_reconciler_notifications: {
    collation: 'utf8mb4_general_ci',
    columns: [
      'id bigint(20) unsigned NOT NULL AUTO_INCREMENT',
      'event_id varchar(191) NOT NULL',
      'receiver varchar(64) NOT NULL',
      'event varchar(40) NOT NULL',
      'payload longtext NOT NULL COLLATE utf8mb4_bin',
      'attempts int(10) unsigned NOT NULL DEFAULT 0',
      'next_attempt_at datetime(3) NOT NULL DEFAULT current_timestamp(3)',
      'claimed_until datetime(3) NULL DEFAULT NULL',
      'delivered_at datetime(3) NULL DEFAULT NULL',
      'last_error varchar(1000) NULL DEFAULT NULL',
      'created_at datetime(3) NOT NULL DEFAULT current_timestamp(3)',
    ],
    indexes: [
      'UNIQUE PRIMARY (id)',
      'UNIQUE uq_oma_reconciler_notifications_event (event_id,receiver)',
      'idx_oma_reconciler_notifications_due (delivered_at,next_attempt_at)',
    ],
    foreignKeys: [],
    checks: [
      'payload: json_valid(`payload`)',
    ],
  },
};

/** What `schema/reconciler` adds to the appliance's own tables. */
export const EXPECTED_RECONCILER_ADDITIONS: Readonly<Record<string, Partial<TableShape>>> = {
  replication_jobs: {
    columns: ['annotations longtext NULL DEFAULT NULL COLLATE utf8mb4_bin'],
    checks: ['annotations: json_valid(`annotations`)'],
  },
  failover_jobs: {
    columns: ['annotations longtext NULL DEFAULT NULL COLLATE utf8mb4_bin'],
    checks: ['annotations: json_valid(`annotations`)'],
    indexes: ['fk_failover_replication (replication_job_id)'],
    foreignKeys: ['fk_failover_replication: replication_job_id -> replication_jobs(id) ON DELETE SET NULL'],
  },
  vm_replication_contexts: {
    columns: ['annotations longtext NULL DEFAULT NULL COLLATE utf8mb4_bin'],
    checks: ['annotations: json_valid(`annotations`)'],
  },
};
