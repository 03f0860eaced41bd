import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `nbd_exports` in the shape of the production dump (`volume_id`, not the Volume Daemon migrations'
 * `volume_uuid`; no triggers). `device_mapping_uuid` is never set by any writer but keeps its FK.
 */
export const createNbdExports = ddlMigration(sql`
  create table if not exists nbd_exports (
    id bigint(20) unsigned not null auto_increment,
    vm_context_id varchar(64) default null,
    job_id varchar(191) default null,
    volume_id varchar(64) default '',
    vm_disk_id bigint(20) default null,
    device_mapping_uuid varchar(64) default null,
    export_name varchar(191) not null,
    port bigint(20) not null,
    device_path longtext not null,
    config_path longtext default '',
    status varchar(191) not null default 'pending',
    created_at datetime(3) default null,
    updated_at datetime(3) default null,
    primary key (id),
    unique key uni_nbd_exports_export_name (export_name),
    key idx_nbd_exports_job_id (job_id),
    key idx_nbd_exports_volume_id (volume_id),
    key fk_nbd_vm_disk (vm_disk_id),
    key fk_nbd_device (device_mapping_uuid),
    key idx_nbd_exports_status (status),
    key idx_nbd_exports_context (vm_context_id),
    constraint fk_nbd_device foreign key (device_mapping_uuid) references device_mappings (volume_uuid) on delete cascade,
    constraint fk_nbd_exports_context foreign key (vm_context_id) references vm_replication_contexts (context_id) on delete cascade,
    constraint fk_nbd_job foreign key (job_id) references replication_jobs (id) on delete cascade,
    constraint fk_nbd_vm_disk foreign key (vm_disk_id) references vm_disks (id) on delete cascade
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
