import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** `oma_reconciler_inventory`: object count per source at the last complete pass (sanity-gate baseline). */
export const createOmaReconcilerInventory = ddlMigration(sql`
  create table if not exists oma_reconciler_inventory (
    source varchar(32) not null,
    count bigint(20) not null,
    observed_at datetime(3) not null,
    primary key (source)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
