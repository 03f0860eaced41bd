import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { WRITER_SESSION_KEY } from './queries/writer-sessions.js';
import type { DB, VolumeOperationsTable } from './schema-types.js';

/** A new `volume_operations` row: what it does and to what, before it has a response or an error. */
export interface NewVolumeOperation {
  readonly type: VolumeOperationsTable['type'];
  readonly status: 'pending' | 'executing';
  readonly volumeId: string;
  readonly vmId: string | null;
  readonly request: Readonly<Record<string, unknown>>;
  /** Its created/updated time; the database's clock when absent (as the daemon leaves it). */
  readonly at?: Date;
  /**
   * Stamp the request with the database session that writes the row (`writer_session`), so a reader
   * can tell once the writer is gone (see queries/writer-sessions.ts). Our own rows only.
   */
  readonly stampWriterSession?: boolean;
}

/**
 * Inserts a Volume Daemon operation row under a fresh id and returns the id — the one shape both
 * the daemon simulator and direct mode (which records its own moves as the daemon would) write.
 */
export async function insertVolumeOperation(db: Kysely<DB>, op: NewVolumeOperation): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('volume_operations')
    .values({
      id,
      type: op.type,
      status: op.status,
      volume_id: op.volumeId,
      vm_id: op.vmId,
      // The session is the one of this very statement: pooled sessions live as long as the process.
      request: op.stampWriterSession
        ? sql<string>`JSON_SET(${JSON.stringify(op.request)}, ${`$.${WRITER_SESSION_KEY}`}, CONNECTION_ID())`
        : JSON.stringify(op.request),
      ...(op.at ? { created_at: op.at, updated_at: op.at } : {}),
    })
    .execute();
  return id;
}
