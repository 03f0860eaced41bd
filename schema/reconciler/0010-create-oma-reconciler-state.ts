import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** `oma_reconciler_state`: small named JSON values that must survive a restart (e.g. the budget trip). */
export const createOmaReconcilerState = ddlMigration(sql`
  create table if not exists oma_reconciler_state (
    \`key\` varchar(191) not null,
    value longtext character set utf8mb4 collate utf8mb4_bin not null check (json_valid(value)),
    updated_at datetime(3) not null default current_timestamp(3) on update current_timestamp(3),
    primary key (\`key\`)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
