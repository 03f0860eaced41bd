import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `schedule_executions` (scheduler), minimal: only so that `replication_jobs.schedule_execution_id`
 * keeps its real FK (ON DELETE SET NULL). Its FKs to `replication_schedules` / `vm_machine_groups`
 * are left out (the scheduler tables are not reproduced).
 */
export const createScheduleExecutions = ddlMigration(sql`
  create table if not exists schedule_executions (
    id varchar(64) not null default uuid(),
    schedule_id varchar(64) not null,
    group_id varchar(64) default null,
    scheduled_at timestamp not null,
    started_at timestamp null default null,
    completed_at timestamp null default null,
    status enum('scheduled','running','completed','failed','skipped','cancelled') default 'scheduled',
    created_at timestamp null default current_timestamp(),
    triggered_by varchar(255) default 'scheduler',
    primary key (id),
    key idx_schedule_executions_schedule (schedule_id),
    key idx_schedule_executions_status (status)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
