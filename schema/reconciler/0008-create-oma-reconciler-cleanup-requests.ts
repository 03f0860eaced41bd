import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `oma_reconciler_cleanup_requests`: one record per cleanup asked for (annotation, CLI or API). It
 * outlives the job row a cleanup deletes; `journal` is the workflow's progress so a new leader can
 * resume it, `tracking_job_id` the `job_tracking` row the GUI shows for it.
 */
export const createOmaReconcilerCleanupRequests = ddlMigration(sql`
  create table if not exists oma_reconciler_cleanup_requests (
    job_id varchar(255) not null,
    job_kind enum('replication','failover') not null,
    context_id varchar(64) default null,
    vm_name varchar(255) default null,
    status enum('accepted','running','done','failed','refused') not null default 'accepted',
    message text default null,
    requested_by varchar(255) default null,
    keep_volumes tinyint(1) not null default 0,
    cancelled tinyint(1) not null default 0,
    analysis longtext character set utf8mb4 collate utf8mb4_bin default null check (json_valid(analysis)),
    journal longtext character set utf8mb4 collate utf8mb4_bin default null check (json_valid(journal)),
    tracking_job_id varchar(64) default null,
    created_at datetime(3) not null default current_timestamp(3),
    updated_at datetime(3) not null default current_timestamp(3) on update current_timestamp(3),
    primary key (job_id),
    key idx_oma_reconciler_cleanup_requests_status (status),
    key idx_oma_reconciler_cleanup_requests_context (context_id),
    key idx_oma_reconciler_cleanup_requests_vm_name (vm_name)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
