/**
 * Webhook notifications: after every pass the notifier turns what was recorded (audit records,
 * quarantined volumes, safety trips) into messages in the database outbox, and a delivery loop
 * POSTs each one to its receivers until they answer 2xx — at least once, with exponential backoff,
 * surviving restarts (the outbox is the only state). Receivers deduplicate on the event id.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config/config-schema.js';
import type { DB } from '../db/schema-types.js';
import { QUARANTINE_TAG } from '../../reconcilers/lib/names.js';
import { readState, writeState } from '../engine/store/state-store.js';
import { coerceError } from '../errors.js';
import { redactUrl, type Logger } from '../log.js';
import type { World } from '../world/world.js';
import { eventsFromActions, eventsFromQuarantine, eventsFromTrips, type NotificationMessage } from './notify-events.js';
import {
  claimDue,
  countPending,
  enqueue,
  finishedActionsAfter,
  markDelivered,
  markFailed,
  newestActionId,
} from './notify-outbox.js';
import { redactSecrets } from './redact-secrets.js';

const CURSOR_KEY = 'notify-cursor';

/** Delivery outcomes for the metrics. */
export interface NotifyMetrics {
  delivered(event: string): void;
  failed(event: string): void;
  pending(count: number): void;
}

/** A configured receiver with its resolved name. */
interface Receiver {
  readonly name: string;
  readonly url: string;
  readonly bearerToken: string | undefined;
  readonly events: readonly string[];
}

/** What a finished pass hands to the notifier. */
export interface PassFacts {
  readonly passId: string;
  readonly observedAt: string;
  readonly trips: readonly string[];
  /** The pass's world, for the quarantined volumes; null when the pass had none. */
  readonly world: World | null;
}

export interface NotifierDeps {
  readonly db: Kysely<DB>;
  readonly config: Config;
  readonly logger: Logger;
  readonly host: string;
  readonly metrics: NotifyMetrics;
  readonly clock?: () => Date;
  /** Delivery loop tick, ms. Default 1000. */
  readonly tickMs?: number;
}

/** Receivers of `notify.webhooks[]` with their default names. */
export function receiversOf(config: Config): Receiver[] {
  return config.notify.webhooks.map((w, i) => ({
    name: w.name ?? `webhook-${i + 1}`,
    url: w.url,
    bearerToken: w.bearerToken,
    events: w.events,
  }));
}

/** The notifier: `collect` after each pass, `start`/`stop` the delivery loop. */
export class Notifier {
  readonly #deps: NotifierDeps;
  readonly #receivers: ReadonlyMap<string, Receiver>;
  readonly #clock: () => Date;
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<void> | null = null;
  readonly #stopping = new AbortController();

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
    this.#receivers = new Map(receiversOf(deps.config).map((r) => [r.name, r]));
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** Turns what a pass recorded into outbox rows (idempotent: event ids are deterministic). */
  async collect(pass: PassFacts): Promise<number> {
    const { db, config, host } = this.#deps;
    const now = this.#clock();
    const messages: NotificationMessage[] = [];
    let cursor = (await readState<{ id: string }>(db, CURSOR_KEY))?.id ?? null;
    if (cursor === null) {
      // First start: only what happens from now on is notified, not the audit history.
      cursor = await newestActionId(db);
      await writeState(db, CURSOR_KEY, { id: cursor });
    }
    const read = await finishedActionsAfter(db, cursor, now);
    messages.push(...eventsFromActions(read.actions, config.quarantineTtlSeconds, host));
    messages.push(...eventsFromTrips(pass.passId, pass.trips, pass.observedAt, host));
    if (pass.world) {
      const quarantined = pass.world.cloudstack.volumes.flatMap((v) => {
        const at = v.tags[QUARANTINE_TAG];
        return at === undefined || v.virtualMachineId !== null ? [] : [{ id: v.id, name: v.name, quarantinedAt: at }];
      });
      messages.push(
        ...eventsFromQuarantine(quarantined, config.quarantineTtlSeconds, config.notify.deletionLeadSeconds, now, host),
      );
    }
    const added = await enqueue(db, messages, [...this.#receivers.values()]);
    // The cursor moves only after the rows are in: a crash in between re-derives the same event ids.
    if (read.cursor !== cursor) await writeState(db, CURSOR_KEY, { id: read.cursor });
    if (added > 0) this.#kick();
    return added;
  }

  /** Starts the delivery loop. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#kick();
    }, this.#deps.tickMs ?? 1_000);
    this.#timer.unref();
    this.#kick();
  }

  /** Stops the loop and waits for a delivery under way (its row stays claimed until the lease ends, then is retried). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#stopping.abort();
    await this.#tick;
  }

  /** Delivers what is due now (also what the tick calls); resolves when this round is done. */
  deliverDue(): Promise<void> {
    this.#kick();
    return this.#tick ?? Promise.resolve();
  }

  #stopped(): boolean {
    return this.#stopping.signal.aborted;
  }

  #kick(): void {
    if (this.#tick || this.#stopping.signal.aborted) return;
    this.#tick = this.#deliver()
      .catch((e: unknown) => {
        this.#deps.logger.error({ err: coerceError(e) }, 'notification delivery round failed');
      })
      .finally(() => {
        this.#tick = null;
      });
  }

  async #deliver(): Promise<void> {
    const { db, config, metrics } = this.#deps;
    const leaseMs = config.notify.timeoutMs * 2;
    for (;;) {
      if (this.#stopping.signal.aborted) return;
      const due = await claimDue(db, this.#clock(), leaseMs, 20);
      if (due.length === 0) break;
      for (const row of due) {
        if (this.#stopped()) return;
        await this.#send(row.id, row.receiver, row.attempts, row.message);
      }
    }
    metrics.pending(await countPending(db));
  }

  async #send(id: string, receiverName: string, attempts: number, message: NotificationMessage): Promise<void> {
    const { db, config, metrics, logger } = this.#deps;
    const receiver = this.#receivers.get(receiverName);
    const log = { eventId: message.eventId, event: message.event, receiver: receiverName, attempt: attempts + 1 };
    if (!receiver) {
      // A receiver removed from the configuration: keep the row, try again later (it may come back).
      await markFailed(
        db,
        id,
        `receiver ${receiverName} is no longer configured`,
        new Date(this.#clock().getTime() + config.notify.retryMaxMs),
      );
      return;
    }
    let error: string | null = null;
    try {
      const res = await fetch(receiver.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-oma-reconciler-event-id': message.eventId,
          'idempotency-key': message.eventId,
          ...(receiver.bearerToken ? { authorization: `Bearer ${receiver.bearerToken}` } : {}),
        },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(config.notify.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status > 299) error = `HTTP ${res.status} from ${redactUrl(receiver.url)}`;
    } catch (e) {
      error = `POST ${redactUrl(receiver.url)}: ${redactSecrets(coerceError(e).message)}`;
    }
    if (error === null) {
      await markDelivered(db, id, this.#clock());
      metrics.delivered(message.event);
      logger.info(log, 'notification delivered');
      return;
    }
    const delay = Math.min(config.notify.retryMaxMs, config.notify.retryBaseMs * 2 ** Math.min(attempts, 20));
    await markFailed(db, id, error, new Date(this.#clock().getTime() + delay));
    metrics.failed(message.event);
    logger.warn({ ...log, error, retryInMs: delay }, 'notification delivery failed; will retry');
  }
}
