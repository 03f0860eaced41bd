/**
 * Whose is an open `volume_operations` row, and is its writer still alive? oma-reconciler records
 * in each operation it runs itself the database session that wrote it (`request.writer_session`,
 * the server's `CONNECTION_ID()`). A process that died (kill -9, OOM, power) loses its sessions at
 * once, so a row whose session is gone can never be finished by its writer: nobody else is working
 * on the volume, and it must not hold the volume until the hour-long stale limit. A row without the
 * mark (the Volume Daemon's, or ours from before the mark) is judged by age alone, as before.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../schema-types.js';
import { parseJsonColumn } from './json-column.js';

/** The `request` key holding the writer's session id. */
export const WRITER_SESSION_KEY = 'writer_session';

/** The writer session an operation recorded in its `request`, or null (not ours, or written before the mark). */
export function writerSessionOf(request: unknown): number | null {
  const parsed = parseJsonColumn(request);
  if (typeof parsed !== 'object' || parsed === null) return null;
  const id = (parsed as Record<string, unknown>)[WRITER_SESSION_KEY];
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null;
}

/**
 * Of `sessions`, those no longer connected to the server. The reconciler's own sessions are always
 * visible to it in the process list (same account), so absence means the session ended.
 */
export async function endedSessions(db: Kysely<DB>, sessions: Iterable<number>): Promise<Set<number>> {
  const wanted = [...new Set(sessions)];
  if (wanted.length === 0) return new Set();
  const alive = await sql<{
    id: number | string;
  }>`SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID IN (${sql.join(wanted)})`.execute(db);
  const live = new Set(alive.rows.map((r) => Number(r.id)));
  return new Set(wanted.filter((id) => !live.has(id)));
}

/** The ids of `rows` (open operations with their `request`) whose writer session ended. */
export async function abandonedOperations(
  db: Kysely<DB>,
  rows: readonly { readonly id: string; readonly request: unknown }[],
): Promise<Set<string>> {
  const sessionOf = new Map<string, number>();
  for (const r of rows) {
    const session = writerSessionOf(r.request);
    if (session !== null) sessionOf.set(r.id, session);
  }
  const ended = await endedSessions(db, sessionOf.values());
  return new Set([...sessionOf].filter(([, session]) => ended.has(session)).map(([id]) => id));
}
