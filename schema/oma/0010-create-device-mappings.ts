import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `device_mappings` (Volume Daemon). Reproduces two traps of the dump on purpose: `volume_uuid` has
 * two identical unique keys, and `device_path` is unique globally (not per VM), which is why a test
 * VM's second data disk cannot get a `remote-vm-<id>` row (incident 9).
 */
export const createDeviceMappings = ddlMigration(sql`
  create table if not exists device_mappings (
    id varchar(64) not null default uuid(),
    vm_context_id varchar(64) default null,
    volume_uuid varchar(64) not null,
    volume_id_numeric bigint(20) default null,
    vm_id varchar(64) not null,
    operation_mode enum('oma','failover') default 'oma',
    cloudstack_device_id int(11) default null,
    requires_device_correlation tinyint(1) default 1,
    device_path varchar(255) not null,
    cloudstack_state varchar(32) not null,
    linux_state varchar(32) not null,
    size bigint(20) not null,
    last_sync timestamp null default current_timestamp(),
    created_at timestamp null default current_timestamp(),
    updated_at timestamp null default current_timestamp() on update current_timestamp(),
    ossea_snapshot_id varchar(191) default null,
    snapshot_created_at timestamp null default null,
    snapshot_status varchar(50) default 'none',
    persistent_device_name varchar(255) default null,
    symlink_path varchar(255) default null,
    primary key (id),
    unique key volume_id (volume_uuid),
    unique key unique_volume_id (volume_uuid),
    unique key unique_device_path (device_path),
    key idx_device_mappings_vm_id (vm_id),
    key idx_device_mappings_device_path (device_path),
    key idx_device_mappings_last_sync (last_sync),
    key idx_device_mappings_volume_id (volume_id_numeric),
    key idx_device_mappings_context (vm_context_id),
    key idx_device_mappings_snapshot_id (ossea_snapshot_id),
    key idx_device_mappings_snapshot_status (snapshot_status),
    key idx_device_mappings_vm_context_snapshot (vm_context_id, snapshot_status),
    key idx_device_mappings_persistent_name (persistent_device_name),
    key idx_device_mappings_symlink_path (symlink_path),
    constraint fk_device_mappings_context foreign key (vm_context_id) references vm_replication_contexts (context_id) on delete cascade
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
