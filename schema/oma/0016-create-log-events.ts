import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** `log_events` (JobLog): structured log lines; they outlive their job and step (ON DELETE SET NULL). */
export const createLogEvents = ddlMigration(sql`
  create table if not exists log_events (
    id bigint(20) not null auto_increment,
    job_id varchar(64) default null,
    step_id bigint(20) default null,
    level enum('DEBUG','INFO','WARN','ERROR') not null,
    message text not null,
    attrs longtext character set utf8mb4 collate utf8mb4_bin default null check (json_valid(attrs)),
    ts datetime(6) not null default current_timestamp(6),
    external_job_id varchar(255) default null,
    primary key (id),
    key job_id (job_id),
    key step_id (step_id),
    key idx_log_events_external_job_id (external_job_id),
    constraint log_events_ibfk_1 foreign key (job_id) references job_tracking (id) on delete set null,
    constraint log_events_ibfk_2 foreign key (step_id) references job_steps (id) on delete set null
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
