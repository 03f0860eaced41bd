/**
 * The live re-check every move makes right before it starts: a `volume_operations` row of the
 * volume still `pending`/`executing` (younger than the stale limit) means another writer — the
 * daemon for the OMA, or one of our own runs that died — is working on it, and nobody else may.
 * An operation of another writer that ended within the settle window holds the volume too: the
 * pass's gates saw the world before it started, so only this re-check can see an OMA operation
 * that began and ended between the observation and the move (the OMA's next step may be coming).
 * An open operation of ours whose writer's session ended (a killed process) holds nothing.
 */
import type { Kysely } from 'kysely';
import { abandonedOperations } from '../db/queries/writer-sessions.js';
import type { DB } from '../db/schema-types.js';
import { VolumeMoveError } from './volume-writer.js';

/** What the re-check holds a volume for. */
export interface InFlightLimits {
  /** A `pending`/`executing` operation older than this is stale and no longer holds the volume. */
  readonly staleAfterMs: number;
  /** An ended operation holds the volume this long after its end (0: not at all). */
  readonly settleMs: number;
  /** Operations this writer ran itself (a workflow's detach before its attach): never a hold. */
  readonly own: ReadonlySet<string>;
}

/**
 * `volume_operations` timestamps have whole seconds (MariaDB truncates the fraction): an ended
 * operation may look up to a second older than it is, so the settle look-back gets that second more.
 */
const SECOND_TRUNCATION_MS = 1_000;

const time = (d: Date | null): number => d?.getTime() ?? 0;

/** An operation in flight (or settling) on a volume, or null. */
export async function operationInFlight(
  db: Kysely<DB>,
  volumeId: string,
  limits: InFlightLimits,
  now: Date,
): Promise<{ readonly id: string; readonly type: string; readonly status: string } | null> {
  const openSince = new Date(now.getTime() - limits.staleAfterMs);
  const endedSince = limits.settleMs > 0 ? new Date(now.getTime() - limits.settleMs - SECOND_TRUNCATION_MS) : null;
  // One statement, so one snapshot: an operation that ends between two reads can slip through neither.
  const rows = await db
    .selectFrom('volume_operations')
    .select(['id', 'type', 'status', 'request', 'created_at', 'updated_at'])
    .where('volume_id', '=', volumeId)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', 'in', ['pending', 'executing']), eb('created_at', '>=', openSince)]),
        ...(endedSince
          ? [eb.and([eb('status', 'in', ['completed', 'failed', 'cancelled']), eb('updated_at', '>=', endedSince)])]
          : []),
      ]),
    )
    .execute();
  const others = rows.filter((r) => !limits.own.has(r.id));
  const open = others
    .filter((r) => r.status === 'pending' || r.status === 'executing')
    .sort((a, b) => time(b.created_at) - time(a.created_at));
  const abandoned = open.length > 0 ? await abandonedOperations(db, open) : new Set<string>();
  const busy = open.find((r) => !abandoned.has(r.id));
  if (busy) return { id: busy.id, type: busy.type, status: busy.status };
  const recent = others
    .filter((r) => r.status !== 'pending' && r.status !== 'executing')
    .sort((a, b) => time(b.updated_at) - time(a.updated_at))[0];
  return recent
    ? {
        id: recent.id,
        type: recent.type,
        status: `${recent.status} within the settle window of ${Math.round(limits.settleMs / 1000)} s`,
      }
    : null;
}

/** Throws (not terminal: the next pass may try again) while another operation works on the volume. */
export async function refuseWhileInFlight(
  db: Kysely<DB>,
  volumeId: string,
  limits: InFlightLimits,
  now: Date,
): Promise<void> {
  const busy = await operationInFlight(db, volumeId, limits, now);
  if (busy) {
    throw new VolumeMoveError(
      `volume ${volumeId} has a Volume Daemon operation in flight (${busy.type} ${busy.id}, ${busy.status}): not touched`,
    );
  }
}
