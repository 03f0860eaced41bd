/**
 * What a webhook receiver is told, derived (pure) from what the reconciler recorded: finished audit
 * records, quarantined volumes and a pass's safety trips. Every event has a deterministic id, so
 * deriving the same event twice (a second pass, another instance, a restart) enqueues it once.
 */
import type { NotifyEvent } from '../config/config-schema.js';
import { redactSecrets } from './redact-secrets.js';

/** One message, as it is stored in the outbox and POSTed. */
export interface NotificationMessage {
  readonly version: 1;
  /** Stable id: receivers deduplicate on it (also sent as `X-Oma-Reconciler-Event-Id`). */
  readonly eventId: string;
  readonly event: NotifyEvent;
  readonly occurredAt: string;
  readonly source: 'oma-reconciler';
  readonly host: string;
  /** One line for a chat message or a ticket title. */
  readonly summary: string;
  readonly subject: { readonly type: string; readonly id: string; readonly name: string | null } | null;
  readonly kind: string | null;
  readonly action: string | null;
  /** The audit record (`undo ACTION_ID` where reversible). */
  readonly actionId: string | null;
  readonly outcome: string | null;
  readonly error: string | null;
  /** Quarantine events: when the reconciler plans to delete the volume. */
  readonly plannedDeletionAt: string | null;
}

/** A finished audit record, as the outbox's collector reads it. */
export interface FinishedAction {
  readonly id: string;
  readonly kind: string;
  readonly action: string;
  readonly subject: { readonly type: string; readonly id: string; readonly name: string | null };
  readonly outcome: string;
  readonly error: string | null;
  readonly destructive: boolean;
  readonly finishedAt: string;
}

function message(
  host: string,
  fields: Omit<
    NotificationMessage,
    | 'version'
    | 'source'
    | 'host'
    | 'subject'
    | 'kind'
    | 'action'
    | 'actionId'
    | 'outcome'
    | 'error'
    | 'plannedDeletionAt'
  > &
    Partial<NotificationMessage>,
): NotificationMessage {
  return {
    version: 1,
    source: 'oma-reconciler',
    host,
    subject: null,
    kind: null,
    action: null,
    actionId: null,
    outcome: null,
    error: null,
    plannedDeletionAt: null,
    ...fields,
    summary: redactSecrets(fields.summary),
    ...(fields.error ? { error: redactSecrets(fields.error) } : {}),
  };
}

const name = (a: FinishedAction): string => a.subject.name ?? a.subject.id;

/** Events of finished audit records: a quarantine, every successful destructive action, every failure. */
export function eventsFromActions(
  actions: readonly FinishedAction[],
  quarantineTtlSeconds: number,
  host: string,
): NotificationMessage[] {
  const out: NotificationMessage[] = [];
  for (const a of actions) {
    const base = {
      occurredAt: a.finishedAt,
      subject: a.subject,
      kind: a.kind,
      action: a.action,
      actionId: a.id,
      outcome: a.outcome,
    };
    if (a.outcome === 'success' && a.action === 'quarantine-volume') {
      const planned = new Date(Date.parse(a.finishedAt) + quarantineTtlSeconds * 1000).toISOString();
      out.push(
        message(host, {
          ...base,
          eventId: `action-${a.id}-quarantined`,
          event: 'volume-quarantined',
          plannedDeletionAt: planned,
          summary: `volume ${name(a)} quarantined; deletion planned at ${planned} (keep it: oma-reconciler undo ${a.id})`,
        }),
      );
    }
    if (a.outcome === 'success' && a.destructive) {
      out.push(
        message(host, {
          ...base,
          eventId: `action-${a.id}-destructive`,
          event: 'destructive-action',
          summary: `${a.action} of ${a.subject.type} ${name(a)} done (${a.kind})`,
        }),
      );
    }
    if (a.outcome === 'error') {
      out.push(
        message(host, {
          ...base,
          eventId: `action-${a.id}-failed`,
          event: 'action-failed',
          error: a.error,
          summary: `${a.action} of ${a.subject.type} ${name(a)} failed: ${a.error ?? 'no error recorded'}`,
        }),
      );
    }
  }
  return out;
}

/** A quarantined volume: its tag time (the quarantine's start). */
export interface QuarantinedVolume {
  readonly id: string;
  readonly name: string;
  readonly quarantinedAt: string;
}

/** A `deletion-due-soon` event for each quarantined volume whose deletion is at most `leadSeconds` away. */
export function eventsFromQuarantine(
  volumes: readonly QuarantinedVolume[],
  ttlSeconds: number,
  leadSeconds: number,
  now: Date,
  host: string,
): NotificationMessage[] {
  const out: NotificationMessage[] = [];
  for (const v of volumes) {
    const at = Date.parse(v.quarantinedAt);
    if (Number.isNaN(at)) continue;
    const due = at + ttlSeconds * 1000;
    if (due - leadSeconds * 1000 > now.getTime()) continue;
    const planned = new Date(due).toISOString();
    out.push(
      message(host, {
        eventId: `deletion-due-${v.id}-${v.quarantinedAt}`,
        event: 'deletion-due-soon',
        occurredAt: now.toISOString(),
        subject: { type: 'volume', id: v.id, name: v.name },
        kind: 'orphan-volume',
        plannedDeletionAt: planned,
        summary: `quarantined volume ${v.name} will be deleted at ${planned} unless kept (status page: Scheduled deletions → Keep)`,
      }),
    );
  }
  return out;
}

/** A `safety-trip` event per rail that tripped in a pass. */
export function eventsFromTrips(
  passId: string,
  trips: readonly string[],
  observedAt: string,
  host: string,
): NotificationMessage[] {
  return trips.map((trip) =>
    message(host, {
      eventId: `safety-trip-${passId}-${trip}`,
      event: 'safety-trip',
      occurredAt: observedAt,
      kind: null,
      outcome: 'tripped',
      subject: { type: 'safety-gate', id: trip, name: trip },
      summary:
        trip === 'budget'
          ? 'the budget gate tripped: destructive actions are held (dry-run) until an operator resets it (status page: Reset)'
          : 'the sanity gate tripped: a source inventory shrank suspiciously; no destructive action this pass',
    }),
  );
}
