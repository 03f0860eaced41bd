import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** `oma_reconciler_drift`: when each drift item was first/last seen (grace periods, oldest-drift metric). */
export const createOmaReconcilerDrift = ddlMigration(sql`
  create table if not exists oma_reconciler_drift (
    drift_id varchar(191) not null,
    kind varchar(64) not null,
    subject_type varchar(32) not null,
    subject_id varchar(255) not null,
    subject_name varchar(255) default null,
    first_seen_at datetime(3) not null,
    last_seen_at datetime(3) not null,
    resolved_at datetime(3) default null,
    primary key (drift_id),
    key idx_oma_reconciler_drift_kind (kind),
    key idx_oma_reconciler_drift_resolved (resolved_at)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
