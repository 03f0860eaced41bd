import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** `job_tracking` (JobLog): one row per tracked operation; `updated_at` does not move while steps run. */
export const createJobTracking = ddlMigration(sql`
  create table if not exists job_tracking (
    id varchar(64) not null default uuid(),
    parent_job_id varchar(64) default null,
    job_type enum('cleanup','failover','migration','cloudstack','volume_daemon','linstor','virtio','ossea','scheduler','discovery','bulk-operations','group-management','conflict-detection','phantom-detection','schedule_management','schedule_control') default null,
    operation varchar(100) not null,
    status enum('pending','running','completed','failed','cancelled') default null,
    cloudstack_job_id varchar(64) default null,
    external_job_id varchar(64) default null,
    metadata longtext character set utf8mb4 collate utf8mb4_bin default null check (json_valid(metadata)),
    error_message longtext default null,
    started_at timestamp null default current_timestamp(),
    completed_at timestamp null default null,
    created_at timestamp null default current_timestamp(),
    updated_at timestamp null default current_timestamp() on update current_timestamp(),
    percent_complete tinyint(3) unsigned default null,
    canceled_at datetime(6) default null,
    owner varchar(100) default null,
    context_id varchar(64) default null,
    job_category enum('system','failover','replication','scheduler','discovery','bulk') default 'system',
    primary key (id),
    key idx_parent_job (parent_job_id),
    key idx_status (status),
    key idx_job_type (job_type),
    key idx_cloudstack_job (cloudstack_job_id),
    key idx_external_job (external_job_id),
    key idx_started_at (started_at),
    key idx_completed_at (completed_at),
    key idx_job_tracking_context_id (context_id),
    key idx_job_tracking_category (job_category),
    key idx_job_tracking_category_status_started (job_category, status, started_at),
    constraint job_tracking_ibfk_1 foreign key (parent_job_id) references job_tracking (id) on delete cascade
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
