import type { Kysely } from 'kysely';
import type { DB } from '../schema-types.js';
import { readTable } from './read-table.js';
import type { CleanupRequestRecord, LedgerEntry } from '../../world/world.js';
import { noStringPool, type StringPool } from '../../string-pool.js';

/** The whole ownership ledger (one statement). */
export function readLedger(db: Kysely<DB>, s: StringPool = noStringPool): Promise<LedgerEntry[]> {
  return readTable(
    db,
    {
      table: 'oma_reconciler_ledger',
      columns: ['object_type', 'object_id', 'first_seen_at', 'reason', 'adopted'],
      orderBy: ['object_type', 'object_id'],
    },
    (r) => ({
      objectType: r.object_type,
      objectId: s(r.object_id),
      firstSeenAt: r.first_seen_at.toISOString(),
      reason: s(r.reason),
      adopted: r.adopted !== 0,
    }),
  );
}

/** First-seen time of every unresolved drift item (one statement). */
export async function readDriftFirstSeen(db: Kysely<DB>): Promise<Record<string, string>> {
  const rows = await db
    .selectFrom('oma_reconciler_drift')
    .select(['drift_id', 'first_seen_at'])
    .where('resolved_at', 'is', null)
    .orderBy('drift_id')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.drift_id, r.first_seen_at.toISOString()]));
}

/** Every cleanup request record (one statement). */
export function readCleanupRequests(db: Kysely<DB>): Promise<CleanupRequestRecord[]> {
  return readTable(
    db,
    {
      table: 'oma_reconciler_cleanup_requests',
      columns: ['job_id', 'job_kind', 'status', 'message', 'requested_by', 'keep_volumes', 'updated_at'],
      orderBy: ['job_id'],
    },
    (r) => ({
      jobId: r.job_id,
      jobKind: r.job_kind,
      status: r.status,
      message: r.message,
      requestedBy: r.requested_by,
      keepVolumes: r.keep_volumes !== 0,
      updatedAt: r.updated_at.toISOString(),
    }),
  );
}
