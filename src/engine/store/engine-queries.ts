/**
 * The engine's own small queries: the cleanup-annotation poll, the database probe of `/readyz`,
 * and the operator's reset of the mode ceiling a budget trip wrote.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';
import { MODE_CEILING_KEY } from './pass-records.js';
import { readState, writeState } from './state-store.js';

/**
 * Jobs whose rows ask for a cleanup not yet started (no status, or accepted by the CLI/API), as
 * `r:<replication job id>` / `f:<failover job id>`.
 */
export async function readPendingCleanupIds(db: Kysely<DB>): Promise<string[]> {
  const rows = await sql<{ id: string }>`
        select concat('r:', id) as id from replication_jobs
          where json_value(annotations, '$."oma-reconciler/cleanup"') = 'requested'
            and coalesce(json_value(annotations, '$."oma-reconciler/cleanup-status"'), 'accepted') = 'accepted'
        union all
        select concat('f:', job_id) from failover_jobs
          where json_value(annotations, '$."oma-reconciler/cleanup"') = 'requested'
            and coalesce(json_value(annotations, '$."oma-reconciler/cleanup-status"'), 'accepted') = 'accepted'`.execute(
    db,
  );
  return rows.rows.map((r) => r.id);
}

/** Resolves when the database answers a trivial query; rejects with its error otherwise. */
export async function pingDatabase(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Clears the mode ceiling a budget trip set; returns the ceiling that was in force (null when none). */
export async function clearModeCeiling(db: Kysely<DB>): Promise<{ readonly reason?: string } | null> {
  const ceiling = await readState<{ reason?: string }>(db, MODE_CEILING_KEY);
  await writeState(db, MODE_CEILING_KEY, null);
  return ceiling;
}
