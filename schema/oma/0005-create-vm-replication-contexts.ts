import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `vm_replication_contexts`, one row per VM. Its two FKs to `replication_jobs` (current and last
 * successful job) are added by `0007` because `replication_jobs` in turn references this table.
 */
export const createVmReplicationContexts = ddlMigration(sql`
  create table if not exists vm_replication_contexts (
    context_id varchar(64) not null default uuid(),
    vm_name varchar(255) not null,
    vmware_vm_id varchar(255) not null,
    vm_path varchar(500) not null,
    vcenter_host varchar(255) not null,
    datacenter varchar(255) not null,
    current_status enum('discovered','replicating','ready_for_failover','failed_over_test','failed_over_live','completed','failed','cleanup_required') not null default 'discovered',
    current_job_id varchar(191) default null,
    total_jobs_run int(11) default 0,
    successful_jobs int(11) default 0,
    failed_jobs int(11) default 0,
    last_successful_job_id varchar(191) default null,
    cpu_count int(11) default null,
    memory_mb int(11) default null,
    os_type varchar(255) default null,
    power_state varchar(50) default null,
    vm_tools_version varchar(255) default null,
    created_at timestamp null default current_timestamp(),
    updated_at timestamp null default current_timestamp() on update current_timestamp(),
    first_job_at timestamp null default null,
    last_job_at timestamp null default null,
    last_status_change timestamp null default current_timestamp(),
    auto_added tinyint(1) default 0,
    last_scheduled_job_id varchar(255) default null,
    next_scheduled_at timestamp null default null,
    scheduler_enabled tinyint(1) default 1,
    credential_id int(11) default null,
    ossea_config_id int(11) default null,
    last_operation_summary longtext character set utf8mb4 collate utf8mb4_bin default null check (json_valid(last_operation_summary)),
    primary key (context_id),
    unique key unique_vm_per_vcenter (vmware_vm_id, vcenter_host),
    unique key unique_vm_name_per_vcenter (vm_name, vcenter_host),
    key fk_vm_context_last_job (last_successful_job_id),
    key idx_vm_name (vm_name),
    key idx_vmware_id (vmware_vm_id),
    key idx_current_status (current_status),
    key idx_current_job (current_job_id),
    key idx_vcenter (vcenter_host),
    key idx_vm_contexts_auto_added (auto_added),
    key idx_vm_contexts_next_scheduled (next_scheduled_at),
    key idx_vm_contexts_scheduler_enabled (scheduler_enabled),
    key fk_vm_context_vmware_creds (credential_id),
    constraint fk_vm_context_vmware_creds foreign key (credential_id) references vmware_credentials (id) on delete set null
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
