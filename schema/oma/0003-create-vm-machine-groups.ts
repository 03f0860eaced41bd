import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `vm_machine_groups` (scheduler), minimal: only so that `replication_jobs.vm_group_id` keeps its
 * real FK (ON DELETE SET NULL). Its own FK to `replication_schedules` is left out (table not reproduced).
 */
export const createVmMachineGroups = ddlMigration(sql`
  create table if not exists vm_machine_groups (
    id varchar(64) not null default uuid(),
    name varchar(255) not null,
    description text default null,
    schedule_id varchar(64) default null,
    max_concurrent_vms int(11) default 5,
    priority int(11) default 0,
    created_at timestamp null default current_timestamp(),
    updated_at timestamp null default current_timestamp() on update current_timestamp(),
    created_by varchar(255) default 'system',
    primary key (id),
    unique key name (name)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
