import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `fk_failover_replication`: the FK the appliance's docs promise but its dump lacks, so deleting a
 * replication job nulls `failover_jobs.replication_job_id` instead of leaving it dangling.
 *
 * Dangling values are nulled first (the FK could not be added otherwise); both statements are in
 * one migration so that a row made dangling between them by the live appliance only fails this run,
 * and the next run nulls it again before retrying. The child column is varchar(255), the parent
 * varchar(191): InnoDB accepts string FKs of different lengths with the same charset and collation
 * (utf8mb4_general_ci on both), checked on MariaDB 10.11.
 */
export const addFkFailoverReplication = ddlMigration(
  sql`
    update failover_jobs f
      left join replication_jobs r on r.id = f.replication_job_id
      set f.replication_job_id = null
      where f.replication_job_id is not null and r.id is null`,
  sql`
    alter table failover_jobs
      add constraint fk_failover_replication foreign key if not exists (replication_job_id)
        references replication_jobs (id) on delete set null`,
);
