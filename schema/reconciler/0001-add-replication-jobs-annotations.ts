import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** Operator annotations on replication jobs (`oma-reconciler/cleanup` …), MariaDB-style JSON. */
export const addReplicationJobsAnnotations = ddlMigration(sql`
  alter table replication_jobs
    add column if not exists annotations longtext character set utf8mb4 collate utf8mb4_bin default null
      check (json_valid(annotations))`);
