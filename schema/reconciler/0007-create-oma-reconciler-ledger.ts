import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `oma_reconciler_ledger`: every CloudStack object the OMA database ever referenced. CloudStack has
 * no tags on these objects, so "ours" = named like ours and listed here (now or historically).
 */
export const createOmaReconcilerLedger = ddlMigration(sql`
  create table if not exists oma_reconciler_ledger (
    object_type enum('volume','snapshot','vm') not null,
    object_id varchar(191) not null,
    first_seen_at datetime(3) not null,
    last_seen_at datetime(3) not null,
    reason varchar(500) not null,
    adopted tinyint(1) not null default 0,
    adopted_by varchar(255) default null,
    primary key (object_type, object_id),
    key idx_oma_reconciler_ledger_object_id (object_id)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
