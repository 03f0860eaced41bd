import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `failover_jobs`. As in the dump, `replication_job_id` has no FK here: `fk_failover_replication`
 * is what the reconciler's own migrations add to a real appliance.
 */
export const createFailoverJobs = ddlMigration(sql`
  create table if not exists failover_jobs (
    id bigint(20) not null auto_increment,
    vm_context_id varchar(64) default null,
    job_id varchar(255) not null,
    vm_id varchar(255) not null,
    replication_job_id varchar(255) default null,
    job_type enum('live','test') not null,
    status enum('pending','validating','snapshotting','creating_vm','switching_volume','powering_on','completed','failed','cleanup','reverting') not null default 'pending',
    source_vm_name varchar(255) not null,
    source_vm_spec text default null,
    destination_vm_id varchar(255) default null,
    ossea_snapshot_id varchar(255) default null,
    linstor_snapshot_name varchar(255) default null,
    linstor_config_id int(11) default null,
    network_mappings text default null,
    error_message text default null,
    created_at timestamp null default current_timestamp(),
    updated_at timestamp null default current_timestamp() on update current_timestamp(),
    started_at timestamp null default null,
    completed_at timestamp null default null,
    primary key (id),
    unique key job_id (job_id),
    key idx_vm_id (vm_id),
    key idx_job_type (job_type),
    key idx_status (status),
    key idx_failover_jobs_linstor_snapshot (linstor_snapshot_name),
    key idx_failover_jobs_context (vm_context_id),
    constraint fk_failover_job_context foreign key (vm_context_id) references vm_replication_contexts (context_id) on delete cascade
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
