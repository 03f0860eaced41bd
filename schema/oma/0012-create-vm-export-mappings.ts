import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** `vm_export_mappings`: legacy (Aug 2025) export naming; note its own collation, `utf8mb4_unicode_ci`. */
export const createVmExportMappings = ddlMigration(sql`
  create table if not exists vm_export_mappings (
    id bigint(20) not null auto_increment,
    vm_id varchar(36) not null,
    disk_unit_number int(11) not null,
    vm_name varchar(255) not null,
    export_name varchar(255) not null,
    device_path varchar(255) not null,
    status enum('active','inactive') default 'active',
    created_at datetime(3) default current_timestamp(3),
    updated_at datetime(3) default current_timestamp(3) on update current_timestamp(3),
    primary key (id),
    unique key export_name (export_name),
    unique key unique_vm_disk (vm_id, disk_unit_number),
    unique key unique_device_path (device_path),
    key idx_vm_id (vm_id),
    key idx_export_name (export_name),
    key idx_device_path (device_path),
    key idx_status (status)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`);
