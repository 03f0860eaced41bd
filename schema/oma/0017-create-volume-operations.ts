import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** `volume_operations` (Volume Daemon): one row per create/attach/detach/delete/cleanup request. */
export const createVolumeOperations = ddlMigration(sql`
  create table if not exists volume_operations (
    id varchar(64) not null,
    type enum('create','attach','detach','delete','cleanup') not null,
    status enum('pending','executing','completed','failed','cancelled') not null default 'pending',
    volume_id varchar(64) not null,
    vm_id varchar(64) default null,
    request longtext character set utf8mb4 collate utf8mb4_bin not null check (json_valid(request)),
    response longtext character set utf8mb4 collate utf8mb4_bin default null check (json_valid(response)),
    error text default null,
    created_at timestamp null default current_timestamp(),
    updated_at timestamp null default current_timestamp() on update current_timestamp(),
    completed_at timestamp null default null,
    primary key (id),
    key idx_volume_operations_volume_id (volume_id),
    key idx_volume_operations_vm_id (vm_id),
    key idx_volume_operations_status (status),
    key idx_volume_operations_type (type),
    key idx_volume_operations_created_at (created_at)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
