import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** `ossea_volumes`: the authoritative list of a VM's CloudStack volumes, with failover snapshot tracking. */
export const createOsseaVolumes = ddlMigration(sql`
  create table if not exists ossea_volumes (
    id bigint(20) not null auto_increment,
    vm_context_id varchar(64) default null,
    volume_id longtext not null,
    volume_name longtext not null,
    size_gb bigint(20) not null,
    ossea_config_id bigint(20) default null,
    volume_type longtext default null,
    device_path longtext default null,
    mount_point longtext default null,
    status varchar(191) default 'creating',
    created_at datetime(3) default null,
    updated_at datetime(3) default null,
    snapshot_id varchar(191) default null,
    snapshot_created_at timestamp null default null,
    snapshot_status varchar(50) default 'none',
    primary key (id),
    unique key idx_ossea_volumes_volume_id (volume_id) using hash,
    key fk_ossea_volumes_ossea_config (ossea_config_id),
    key idx_ossea_volumes_context (vm_context_id),
    key idx_ossea_volumes_snapshot_id (snapshot_id),
    key idx_ossea_volumes_snapshot_status (snapshot_status),
    constraint fk_ossea_volumes_context foreign key (vm_context_id) references vm_replication_contexts (context_id) on delete cascade,
    constraint fk_ossea_volumes_ossea_config foreign key (ossea_config_id) references ossea_configs (id)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
