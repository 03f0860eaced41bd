import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';
import type { DriftKind } from '../../world/drift-kinds.js';

/** Which action on what, in which pass: shared by an intent and the record it becomes. */
export interface AuditedAction {
  readonly passId: string;
  readonly driftId: string | null;
  readonly kind: string;
  readonly action: string;
  readonly subject: { readonly type: string; readonly id: string; readonly name: string | null };
  readonly contextId: string | null;
}

/** What is written before an action runs (its intent, with the evidence that justified it). */
export interface ActionIntent extends AuditedAction {
  readonly destructive: boolean;
  /** Evidence, params and gate trail, stored as the `intent` JSON. */
  readonly detail: unknown;
  readonly actor: string;
  readonly leaderHost: string | null;
  readonly undoOf?: string;
}

/** Final state of an audited action. */
export type AuditOutcome = 'success' | 'error' | 'dry_run' | 'blocked' | 'undone';

/** Writes the intent row (outcome `pending`) and returns its id. */
export async function recordIntent(db: Kysely<DB>, intent: ActionIntent): Promise<string> {
  const result = await db
    .insertInto('oma_reconciler_actions')
    .values({
      pass_id: intent.passId,
      drift_id: intent.driftId,
      kind: intent.kind,
      action: intent.action,
      subject_type: intent.subject.type,
      subject_id: intent.subject.id.slice(0, 255),
      subject_name: intent.subject.name?.slice(0, 255) ?? null,
      context_id: intent.contextId,
      intent: JSON.stringify({ destructive: intent.destructive, ...(intent.detail as object) }),
      actor: intent.actor,
      leader_host: intent.leaderHost,
      undo_of: intent.undoOf ?? null,
    })
    .executeTakeFirstOrThrow();
  return String(result.insertId);
}

/** Writes the outcome after the action; `undoData` makes it reversible by `undo ACTION_ID`. */
export async function recordOutcome(
  db: Kysely<DB>,
  id: string,
  outcome: AuditOutcome,
  error: string | null,
  undoData: unknown = null,
  now: Date = new Date(),
): Promise<void> {
  await db
    .updateTable('oma_reconciler_actions')
    .set({
      outcome,
      error: error?.slice(0, 60_000) ?? null,
      finished_at: now,
      ...(undoData === null ? {} : { reversible: 1, undo_data: JSON.stringify(undoData) }),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Closes the intents a crash left `pending` (the process died between intent and outcome) as
 * `abandoned`, with a sentence saying so; `passId`'s own intents are left alone. Run by the leader
 * before it acts, once per process: no other instance acts while it holds the lock. Returns the
 * number of rows closed. Whether an abandoned action took effect is for the next observation to
 * show; the budget counts it as if it did.
 */
export async function closeAbandonedIntents(db: Kysely<DB>, passId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('oma_reconciler_actions')
    .set({
      outcome: 'abandoned',
      error: 'abandoned: the process stopped before the outcome was recorded (it may or may not have taken effect)',
      finished_at: now,
    })
    .where('outcome', '=', 'pending')
    .where('pass_id', '<>', passId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Destructive actions that succeeded per kind since `since` (the hourly budget's input). One statement. */
export async function destructiveCountsSince(db: Kysely<DB>, since: Date): Promise<Partial<Record<DriftKind, number>>> {
  const rows = await db
    .selectFrom('oma_reconciler_actions')
    .select(['kind', sql<number>`count(*)`.as('n')])
    .where('created_at', '>=', since)
    .where('outcome', 'in', ['success', 'abandoned'])
    .where(sql<boolean>`json_value(intent, '$.destructive') in ('true', '1')`)
    .groupBy('kind')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

/** An audit record as the API and the status page show it. */
export interface AuditRecord extends AuditedAction {
  readonly id: string;
  readonly outcome: string;
  readonly error: string | null;
  readonly reversible: boolean;
  readonly actor: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/**
 * The newest audit records, newest first; optionally only those about a subject (or any of several
 * related ids: a VM's context, jobs and volumes) as subject, context or drift id.
 */
export async function listActions(
  db: Kysely<DB>,
  limit: number,
  subject?: string | readonly string[],
): Promise<AuditRecord[]> {
  let q = db.selectFrom('oma_reconciler_actions').selectAll().orderBy('id', 'desc').limit(limit);
  if (subject !== undefined) {
    const ids = typeof subject === 'string' ? [subject] : [...subject];
    if (ids.length === 0) return [];
    q = q.where((eb) => eb.or([eb('subject_id', 'in', ids), eb('context_id', 'in', ids), eb('drift_id', 'in', ids)]));
  }
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    passId: r.pass_id,
    driftId: r.drift_id,
    kind: r.kind,
    action: r.action,
    subject: { type: r.subject_type, id: r.subject_id, name: r.subject_name },
    contextId: r.context_id,
    outcome: r.outcome,
    error: r.error,
    reversible: r.reversible === 1,
    actor: r.actor,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  }));
}

/** The newest reversible, successful record of `action` per subject id (e.g. the quarantine that Keep undoes). */
export async function reversibleActionIds(
  db: Kysely<DB>,
  action: string,
  subjectIds: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (subjectIds.length === 0) return out;
  const rows = await db
    .selectFrom('oma_reconciler_actions')
    .select(['id', 'subject_id'])
    .where('action', '=', action)
    .where('outcome', '=', 'success')
    .where('reversible', '=', 1)
    .where('subject_id', 'in', [...subjectIds])
    .orderBy('id', 'desc')
    .execute();
  for (const r of rows) if (!out.has(r.subject_id)) out.set(r.subject_id, r.id);
  return out;
}
