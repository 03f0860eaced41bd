import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `vm_disks`: one row per (context, VMware disk); `job_id` is re-pointed to the newest job on every
 * run and is NOT NULL as in the OMA dump. `ossea_volume_id` → `ossea_volumes.id` by convention, no FK.
 */
export const createVmDisks = ddlMigration(sql`
  create table if not exists vm_disks (
    id bigint(20) not null auto_increment,
    vm_context_id varchar(64) default null,
    job_id varchar(191) not null,
    disk_id longtext not null,
    vm_dk_path longtext not null,
    size_gb bigint(20) not null,
    datastore longtext default null,
    unit_number bigint(20) default null,
    label longtext default null,
    capacity_bytes bigint(20) default null,
    provisioning_type longtext default null,
    ossea_volume_id bigint(20) default null,
    disk_change_id longtext default null,
    sync_status varchar(191) default 'pending',
    sync_progress_percent double default 0,
    bytes_synced bigint(20) default 0,
    created_at datetime(3) default null,
    updated_at datetime(3) default null,
    cpu_count int(11) default 0,
    memory_mb int(11) default 0,
    os_type varchar(255) default '',
    vm_tools_version varchar(255) default '',
    network_config text default null,
    display_name varchar(255) default '',
    annotation text default null,
    power_state varchar(50) default '',
    vmware_uuid varchar(255) default '',
    bios_setup text default null,
    primary key (id),
    unique key uk_vm_context_disk (vm_context_id, disk_id) using hash,
    key fk_vm_disks_job (job_id),
    key idx_vm_disks_context (vm_context_id),
    key idx_vm_disks_ossea_volume (ossea_volume_id),
    constraint fk_vm_disks_context foreign key (vm_context_id) references vm_replication_contexts (context_id) on delete cascade,
    constraint fk_vm_disks_job foreign key (job_id) references replication_jobs (id) on delete cascade
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
