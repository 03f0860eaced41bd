/**
 * The notification outbox in `oma_reconciler_notifications`: enqueue (one row per event and
 * receiver; a repeat is ignored), claim the due rows, and record each delivery's outcome.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema-types.js';
import { parseJsonColumn } from '../db/queries/json-column.js';
import type { FinishedAction, NotificationMessage } from './notify-events.js';

/** A row ready to be sent. */
export interface DueNotification {
  readonly id: string;
  readonly receiver: string;
  readonly attempts: number;
  readonly message: NotificationMessage;
}

/** Inserts each message once per receiver that wants its event; returns how many rows were new. */
export async function enqueue(
  db: Kysely<DB>,
  messages: readonly NotificationMessage[],
  receivers: readonly { readonly name: string; readonly events: readonly string[] }[],
): Promise<number> {
  const rows = messages.flatMap((m) =>
    receivers
      .filter((r) => r.events.includes(m.event))
      .map((r) => ({
        event_id: m.eventId.slice(0, 191),
        receiver: r.name,
        event: m.event,
        payload: JSON.stringify(m),
      })),
  );
  if (rows.length === 0) return 0;
  const result = await db.insertInto('oma_reconciler_notifications').values(rows).ignore().executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * Claims up to `limit` undelivered rows whose retry time has come, for `leaseMs` (another instance
 * skips a claimed row until the lease ends, so a row is in flight from one sender at a time).
 */
export async function claimDue(db: Kysely<DB>, now: Date, leaseMs: number, limit: number): Promise<DueNotification[]> {
  const candidates = await db
    .selectFrom('oma_reconciler_notifications')
    .select(['id'])
    .where('delivered_at', 'is', null)
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
    .orderBy('id')
    .limit(limit)
    .execute();
  const out: DueNotification[] = [];
  const until = new Date(now.getTime() + leaseMs);
  for (const { id } of candidates) {
    const claimed = await db
      .updateTable('oma_reconciler_notifications')
      .set({ claimed_until: until })
      .where('id', '=', id)
      .where('delivered_at', 'is', null)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    const row = await db
      .selectFrom('oma_reconciler_notifications')
      .select(['id', 'receiver', 'attempts', 'payload'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    out.push({
      id: row.id,
      receiver: row.receiver,
      attempts: row.attempts,
      message: parseJsonColumn(row.payload) as NotificationMessage,
    });
  }
  return out;
}

/** Records a delivery the receiver acknowledged (2xx). */
export async function markDelivered(db: Kysely<DB>, id: string, now: Date): Promise<void> {
  await db
    .updateTable('oma_reconciler_notifications')
    .set({ delivered_at: now, claimed_until: null, attempts: sql`attempts + 1`, last_error: null })
    .where('id', '=', id)
    .execute();
}

/** Records a failed attempt and when to try again. */
export async function markFailed(db: Kysely<DB>, id: string, error: string, retryAt: Date): Promise<void> {
  await db
    .updateTable('oma_reconciler_notifications')
    .set({
      claimed_until: null,
      attempts: sql`attempts + 1`,
      last_error: error.slice(0, 1000),
      next_attempt_at: retryAt,
    })
    .where('id', '=', id)
    .execute();
}

/** Rows not delivered yet. */
export async function countPending(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('oma_reconciler_notifications')
    .select(sql<number | string>`count(*)`.as('n'))
    .where('delivered_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Finished audit records after `cursor` (ascending), stopping before the first one still running so
 * the cursor never skips it; a record unfinished for more than an hour (a crash) is passed over.
 */
export async function finishedActionsAfter(
  db: Kysely<DB>,
  cursor: string,
  now: Date,
  limit = 500,
): Promise<{ actions: FinishedAction[]; cursor: string }> {
  const rows = await db
    .selectFrom('oma_reconciler_actions')
    .select([
      'id',
      'kind',
      'action',
      'subject_type',
      'subject_id',
      'subject_name',
      'outcome',
      'error',
      'intent',
      'created_at',
      'finished_at',
    ])
    .where('id', '>', cursor)
    .orderBy('id')
    .limit(limit)
    .execute();
  const actions: FinishedAction[] = [];
  let next = cursor;
  for (const r of rows) {
    if (r.finished_at === null || r.outcome === 'pending') {
      if (now.getTime() - r.created_at.getTime() < 3_600_000) break;
      next = r.id;
      continue;
    }
    const intent = parseJsonColumn(r.intent) as { destructive?: unknown } | null;
    actions.push({
      id: r.id,
      kind: r.kind,
      action: r.action,
      subject: { type: r.subject_type, id: r.subject_id, name: r.subject_name },
      outcome: r.outcome,
      error: r.error,
      destructive: intent?.destructive === true,
      finishedAt: r.finished_at.toISOString(),
    });
    next = r.id;
  }
  return { actions, cursor: next };
}

/** The newest audit record id (where a fresh notifier starts, so history is not replayed). */
export async function newestActionId(db: Kysely<DB>): Promise<string> {
  const row = await db
    .selectFrom('oma_reconciler_actions')
    .select(sql<string | number>`coalesce(max(id), 0)`.as('id'))
    .executeTakeFirst();
  return String(row?.id ?? '0');
}
