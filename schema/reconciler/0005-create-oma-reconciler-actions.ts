import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `oma_reconciler_actions`: the append-only audit log, one row per action decided by a pass, the CLI
 * or the API. Rows are never deleted; only `outcome`, `error`, `finished_at` (and `undone`) change.
 * `intent` holds what was meant and why (drift evidence); `undo_data` what `undo` needs to reverse it.
 */
export const createOmaReconcilerActions = ddlMigration(sql`
  create table if not exists oma_reconciler_actions (
    id bigint(20) unsigned not null auto_increment,
    pass_id varchar(64) not null,
    drift_id varchar(191) default null,
    kind varchar(64) not null,
    action varchar(100) not null,
    subject_type varchar(32) not null,
    subject_id varchar(255) not null,
    subject_name varchar(255) default null,
    context_id varchar(64) default null,
    intent longtext character set utf8mb4 collate utf8mb4_bin not null check (json_valid(intent)),
    outcome enum('pending','success','error','dry_run','blocked','undone') not null default 'pending',
    error text default null,
    reversible tinyint(1) not null default 0,
    undo_data longtext character set utf8mb4 collate utf8mb4_bin default null check (json_valid(undo_data)),
    undo_of bigint(20) unsigned default null,
    actor varchar(100) not null,
    leader_host varchar(255) default null,
    created_at datetime(3) not null default current_timestamp(3),
    finished_at datetime(3) default null,
    primary key (id),
    key idx_oma_reconciler_actions_created_at (created_at),
    key idx_oma_reconciler_actions_pass (pass_id),
    key idx_oma_reconciler_actions_drift (drift_id),
    key idx_oma_reconciler_actions_subject (subject_id),
    key idx_oma_reconciler_actions_context (context_id),
    key idx_oma_reconciler_actions_outcome (outcome)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
