import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** Operator annotations on failover jobs, MariaDB-style JSON. */
export const addFailoverJobsAnnotations = ddlMigration(sql`
  alter table failover_jobs
    add column if not exists annotations longtext character set utf8mb4 collate utf8mb4_bin default null
      check (json_valid(annotations))`);
