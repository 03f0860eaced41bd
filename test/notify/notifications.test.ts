/**
 * Webhook notifications end to end on the demo: an Alertmanager-style receiver (deduplicates on the
 * event id, acknowledges with 2xx) that fails its first 3 deliveries still gets every message
 * exactly once per event id, although the daemon is stopped and a new one started in the middle —
 * while a delivery is under way (the receiver holds it unanswered), so the restart always falls
 * between messages sent and messages still owed.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReconciler, type RunningReconciler } from '../../src/compose/start-reconciler.js';
import { buildDemo, type DemoAppliance } from '../../src/demo/build-demo.js';
import { createLogger } from '../../src/log.js';
import type { NotificationMessage } from '../../src/notify/notify-events.js';
import { testDatabaseUrl } from '../helpers/test-database-url.js';

const RECEIVER_TOKEN = 'receiver-secret-token-0123456789';

/** What the receiver saw. */
interface Receiver {
  readonly server: Server;
  readonly url: string;
  /** Accepted messages by event id (the first of each). */
  readonly accepted: Map<string, NotificationMessage>;
  requests: number;
  refused: number;
  duplicates: number;
  badRequests: string[];
  /** Requests parked unanswered (not counted in `requests`) while `holding`. */
  readonly held: { destroy(): void }[];
  /** Park every request that arrives from now on until `release()`. */
  holding: boolean;
  /** Stops holding and drops the parked requests unanswered (their sender sees a failed delivery). */
  release(): void;
}

async function startReceiver(failFirst: number): Promise<Receiver> {
  const r: Omit<Receiver, 'server' | 'url'> = {
    accepted: new Map(),
    requests: 0,
    refused: 0,
    duplicates: 0,
    badRequests: [],
    held: [],
    holding: false,
    release() {
      r.holding = false;
      for (const res of r.held.splice(0)) res.destroy();
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (r.holding) {
        r.held.push(res);
        return;
      }
      r.requests++;
      if (r.requests <= failFirst) {
        r.refused++;
        res.writeHead(503).end('try later');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as NotificationMessage;
      const id = req.headers['x-oma-reconciler-event-id'];
      if (req.headers.authorization !== `Bearer ${RECEIVER_TOKEN}` || id !== body.eventId) {
        r.badRequests.push(String(id));
      }
      if (r.accepted.has(body.eventId)) r.duplicates++;
      else r.accepted.set(body.eventId, body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(r, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/alerts` });
}

let demo: DemoAppliance | undefined;
let receiver: Receiver;
let dbName: string;
const running: RunningReconciler[] = [];

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function outbox(): Promise<{ event_id: string; event: string; delivered: boolean; attempts: number }[]> {
  const rows = await demo!.database.db
    .selectFrom('oma_reconciler_notifications')
    .select(['event_id', 'event', 'delivered_at', 'attempts'])
    .execute();
  return rows.map((r) => ({
    event_id: r.event_id,
    event: r.event,
    delivered: r.delivered_at !== null,
    attempts: r.attempts,
  }));
}

function start(): RunningReconciler {
  const r = startReconciler({
    config: demo!.config,
    logger: createLogger('silent'),
    signals: null,
    leaderRetryMs: 300,
  });
  running.push(r);
  return r;
}

describe('webhook notifications', () => {
  beforeAll(async () => {
    receiver = await startReceiver(3);
    dbName = `omarec_test_notify_${randomBytes(4).toString('hex')}`;
    demo = await buildDemo({
      databaseUrl: testDatabaseUrl(),
      databaseName: dbName,
      httpListen: '127.0.0.1:0',
      logLevel: 'silent',
      overrides: {
        notify: {
          webhooks: [{ name: 'alertmanager', url: receiver.url, bearerToken: RECEIVER_TOKEN }],
          retryBaseMs: 100,
          retryMaxMs: 400,
          deletionLeadSeconds: 86_400,
        },
      },
    });
  }, 120_000);

  afterAll(async () => {
    for (const r of running) await r.daemon.stop('test done');
    await demo?.close();
    await new Promise((resolve) => receiver.server.close(resolve));
    const admin = await import('../../src/db/connect.js').then((m) =>
      m.connectDatabase(testDatabaseUrl(), { database: null, connectionLimit: 1 }),
    );
    await sql`drop database if exists ${sql.id(dbName)}`.execute(admin.db);
    await admin.close();
  });

  it('delivers every message exactly once per event id through 3 failures and a daemon restart', async () => {
    const first = start();
    await first.daemon.ready;
    // Stop the first daemon in the middle: the receiver refused 3 times, some messages are through,
    // and the next one is under way — held unanswered until the daemon has stopped (its delivery times out).
    await until('the first deliveries', () => receiver.refused === 3 && receiver.accepted.size >= 2, 90_000);
    receiver.holding = true;
    await until('a delivery under way', () => receiver.held.length > 0, 90_000);
    await first.daemon.stop('restart in the middle of deliveries');
    receiver.release();
    const before = await outbox();
    expect(before.some((r) => !r.delivered)).toBe(true);

    const second = start();
    await second.daemon.ready;
    // The demo settles (quarantines and deletions done) and the outbox drains.
    await until(
      'every message delivered',
      async () => {
        const rows = await outbox();
        return (
          rows.some((r) => r.event === 'deletion-due-soon') &&
          rows.some((r) => r.event === 'destructive-action') &&
          rows.every((r) => r.delivered)
        );
      },
      120_000,
    );
    await second.daemon.stop('test done');

    const rows = await outbox();
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(receiver.accepted.keys()));
    expect(receiver.duplicates).toBe(0);
    expect(receiver.badRequests).toEqual([]);
    expect(receiver.requests).toBe(rows.length + 3);
    expect(rows.filter((r) => r.attempts > 1).length).toBeGreaterThan(0); // the refused ones were retried
    console.log(
      `notifications: ${rows.length} messages (${[...new Set(rows.map((r) => r.event))].join(', ')}), ${receiver.requests} requests, 3 refused, restart after ${before.filter((r) => r.delivered).length} delivered`,
    );

    const messages = [...receiver.accepted.values()];
    const quarantined = messages.find((m) => m.event === 'volume-quarantined');
    expect(quarantined).toMatchObject({
      version: 1,
      source: 'oma-reconciler',
      subject: { type: 'volume' },
      action: 'quarantine-volume',
      outcome: 'success',
    });
    expect(Date.parse(quarantined?.plannedDeletionAt ?? '') - Date.parse(quarantined?.occurredAt ?? '')).toBe(
      demo!.config.quarantineTtlSeconds * 1000,
    );
    expect(quarantined?.summary).toMatch(
      /^volume \S+ quarantined; deletion planned at \S+ \(keep it: oma-reconciler undo \d+\)$/,
    );
    expect(messages.find((m) => m.event === 'deletion-due-soon')?.plannedDeletionAt).toMatch(/^\d{4}-/);
    const wire = JSON.stringify(messages);
    expect(wire).not.toContain(RECEIVER_TOKEN);
    expect(wire).not.toContain(demo!.token);
  }, 300_000);
});
