import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** Operator annotations on VM contexts (e.g. `oma-reconciler/paused`), MariaDB-style JSON. */
export const addVmReplicationContextsAnnotations = ddlMigration(sql`
  alter table vm_replication_contexts
    add column if not exists annotations longtext character set utf8mb4 collate utf8mb4_bin default null
      check (json_valid(annotations))`);
