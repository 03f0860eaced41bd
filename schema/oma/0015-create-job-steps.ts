import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** `job_steps` (JobLog): numbered steps of a tracked job; the newest one tells what a job is doing. */
export const createJobSteps = ddlMigration(sql`
  create table if not exists job_steps (
    id bigint(20) not null auto_increment,
    job_id varchar(64) not null,
    name varchar(200) not null,
    seq int(11) not null,
    status enum('running','completed','failed','skipped') not null default 'running',
    started_at datetime(6) not null default current_timestamp(6),
    completed_at datetime(6) default null,
    error_message longtext default null,
    metadata longtext character set utf8mb4 collate utf8mb4_bin default null check (json_valid(metadata)),
    primary key (id),
    unique key uk_job_steps_job_seq (job_id, seq),
    constraint job_steps_ibfk_1 foreign key (job_id) references job_tracking (id) on delete cascade
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
