/**
 * Direct mode records each move in `volume_operations` as the daemon does (one row per operation,
 * `executing` before the CloudStack call, `completed`/`failed` after), marked as ours in its request
 * (`requested_by`) together with the database session that wrote it (`writer_session`). While that
 * session lives, the row holds the volume; once it ended (the process was killed) the row is known
 * abandoned and holds nothing — no hour-long wait for the stale limit (see db/queries/writer-sessions.ts).
 */
import type { Kysely } from 'kysely';
import { insertVolumeOperation } from '../db/insert-volume-operation.js';
import type { DB } from '../db/schema-types.js';

/** The `requested_by` value of operations oma-reconciler ran without the daemon. */
export const OWN_OPERATION_MARK = 'oma-reconciler';

/** The operation types of `volume_operations.type` a move uses. */
export type OperationType = 'attach' | 'detach' | 'delete';

/** Inserts an `executing` row and returns its id. */
export async function startOwnOperation(
  db: Kysely<DB>,
  op: {
    readonly type: OperationType;
    readonly volumeId: string;
    readonly vmId: string | null;
    readonly request: Readonly<Record<string, unknown>>;
  },
  now: Date,
): Promise<string> {
  return insertVolumeOperation(db, {
    ...op,
    status: 'executing',
    request: { ...op.request, requested_by: OWN_OPERATION_MARK },
    at: now,
    stampWriterSession: true,
  });
}

/** Finishes our row with the daemon's response shape or the error. */
export async function finishOwnOperation(
  db: Kysely<DB>,
  id: string,
  end:
    | { readonly status: 'completed'; readonly response: Readonly<Record<string, unknown>> }
    | { readonly status: 'failed'; readonly error: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('volume_operations')
    .set({
      status: end.status,
      response: end.status === 'completed' ? JSON.stringify(end.response) : null,
      error: end.status === 'failed' ? end.error.slice(0, 60_000) : null,
      updated_at: now,
      completed_at: now,
    })
    .where('id', '=', id)
    .execute();
}
