import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `oma_reconciler_actions.outcome` gains `abandoned`: an intent a crash left `pending` (the process
 * died between the intent and its outcome) is closed as abandoned at the next start, so the audit
 * log never holds an action that looks as if it were still running. Re-runnable (MODIFY states the
 * whole column).
 */
export const addAbandonedActionOutcome = ddlMigration(sql`
  alter table oma_reconciler_actions
    modify outcome enum('pending','success','error','dry_run','blocked','undone','abandoned') not null default 'pending'`);
