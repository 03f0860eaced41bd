import { describe, expect, it } from 'vitest';
import {
  eventsFromActions,
  eventsFromQuarantine,
  eventsFromTrips,
  type FinishedAction,
} from '../../src/notify/notify-events.js';
import { redactSecrets } from '../../src/notify/redact-secrets.js';

const action = (over: Partial<FinishedAction>): FinishedAction => ({
  id: '7',
  kind: 'orphan-volume',
  action: 'quarantine-volume',
  subject: { type: 'volume', id: 'vol-1', name: 'migration-x-disk-0' },
  outcome: 'success',
  error: null,
  destructive: true,
  finishedAt: '2026-12-01T10:00:00.000Z',
  ...over,
});

describe('notification events', () => {
  it('tells of a quarantine with its planned deletion, and of the destructive action, with stable ids', () => {
    const events = eventsFromActions([action({})], 3600, 'oma-1');
    expect(events.map((e) => [e.eventId, e.event, e.plannedDeletionAt])).toEqual([
      ['action-7-quarantined', 'volume-quarantined', '2026-12-01T11:00:00.000Z'],
      ['action-7-destructive', 'destructive-action', null],
    ]);
    expect(eventsFromActions([action({})], 3600, 'oma-1')).toEqual(events);
  });

  it('tells of a failed action with its error, secrets removed', () => {
    const [failed] = eventsFromActions(
      [
        action({
          action: 'delete-volume',
          outcome: 'error',
          error: 'GET http://cs/client/api?apikey=AKEY&signature=SIG failed; Authorization: Bearer tok.en-1',
        }),
      ],
      3600,
      'h',
    );
    expect(failed).toMatchObject({ eventId: 'action-7-failed', event: 'action-failed' });
    expect(failed?.error).toBe(
      'GET http://cs/client/api?apikey=[REDACTED]&signature=[REDACTED] failed; Authorization: Bearer [REDACTED]',
    );
    expect(failed?.summary).not.toContain('AKEY');
  });

  it('says nothing of successful non-destructive actions', () => {
    expect(eventsFromActions([action({ action: 'attach-volume-to-oma', destructive: false })], 3600, 'h')).toEqual([]);
  });

  it('warns of a deletion within the lead time only, once per quarantine', () => {
    const now = new Date('2026-12-01T10:00:00.000Z');
    const volumes = [
      { id: 'soon', name: 'a', quarantinedAt: '2026-11-24T12:00:00.000Z' },
      { id: 'later', name: 'b', quarantinedAt: '2026-11-30T10:00:00.000Z' },
      { id: 'bad', name: 'c', quarantinedAt: 'yesterday' },
    ];
    const events = eventsFromQuarantine(volumes, 7 * 86_400, 86_400, now, 'h');
    expect(events.map((e) => [e.eventId, e.plannedDeletionAt])).toEqual([
      ['deletion-due-soon-2026-11-24T12:00:00.000Z', '2026-12-01T12:00:00.000Z'],
    ]);
  });

  it('tells of each safety trip of a pass', () => {
    expect(
      eventsFromTrips('p-1', ['budget', 'sanity'], '2026-12-01T10:00:00.000Z', 'h').map((e) => [e.eventId, e.event]),
    ).toEqual([
      ['safety-trip-p-1-budget', 'safety-trip'],
      ['safety-trip-p-1-sanity', 'safety-trip'],
    ]);
  });

  it('redacts URL passwords', () => {
    expect(redactSecrets('mysql://oma:pw@db/x')).toBe('mysql://oma:[REDACTED]@db/x');
  });
});
