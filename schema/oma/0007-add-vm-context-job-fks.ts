import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** Closes the context ↔ job cycle: a context's current / last successful job, both ON DELETE SET NULL. */
export const addVmContextJobFks = ddlMigration(sql`
  alter table vm_replication_contexts
    add constraint fk_vm_context_current_job foreign key if not exists (current_job_id)
      references replication_jobs (id) on delete set null,
    add constraint fk_vm_context_last_job foreign key if not exists (last_successful_job_id)
      references replication_jobs (id) on delete set null`);
