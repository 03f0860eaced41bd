import { describe, expect, it } from 'vitest';
import { liveExportMismatch } from '../../reconcilers/live-export-mismatch.js';
import { ago, CONF_DIR, NOW, testPolicy, WorldBuilder } from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const NAME = 'migration-vol-vol-web-0';
const ID = `live-export-mismatch:nbd-export:${NAME}`;
const healthy = (): WorldBuilder => new WorldBuilder().healthyContext('web');
const withLive = (names: string[]): WorldBuilder => {
  const b = healthy();
  b.liveExports = names;
  return b;
};

describe('live-export-mismatch', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    { name: 'reports nothing when the server serves exactly the configured exports', world: healthy, expected: [] },
    {
      name: 'restarts for an export served but removed from the config',
      world: () => healthy().remove('configured', NAME),
      expected: [`${ID} → restart-nbd-server`],
    },
    {
      name: 'restarts for a configured export the server does not serve yet',
      world: () => withLive(['dummy']),
      expected: [`${ID} → restart-nbd-server`],
    },
    {
      name: 'restarts for an export served with a stale path',
      world: () =>
        healthy().add('pending', {
          exportName: NAME,
          change: 'update',
          since: ago(120),
          reason: 'nbd-server 3.24: no SIGHUP',
        }),
      expected: [`${ID} → restart-nbd-server`],
    },
    {
      name: 'restarts for an export removed (denied) but still in memory',
      world: () =>
        healthy()
          .patch('configured', NAME, { denied: true })
          .add('pending', { exportName: NAME, change: 'remove', since: ago(120), reason: 'sessions open' }),
      expected: [`${ID} → restart-nbd-server`],
    },
    {
      name: 'ignores a denied export that is no longer served',
      world: () => withLive(['dummy']).patch('configured', NAME, { denied: true }),
      expected: [],
    },
    {
      name: 'never considers dummy, generic or backup exports',
      world: () => withLive(['dummy', NAME, 'backup-ctx-disk0-full-20260301T000000']),
      expected: [],
    },
    {
      name: 'reports legacy exports without restarting',
      world: () =>
        healthy().add('configured', {
          name: 'migration-vm-4201-disk0',
          file: `${CONF_DIR}/x.conf`,
          exportname: '/dev/vdc',
          authfile: null,
          managed: false,
          denied: false,
        }),
      expected: ['live-export-mismatch:nbd-export:migration-vm-4201-disk0 → report'],
    },
    {
      name: 'says nothing when the server list is unknown',
      world: () => {
        const b = healthy().remove('configured', NAME);
        b.liveExports = null;
        return b;
      },
      expected: [],
    },
    {
      name: 'says nothing when the nbd source is incomplete',
      world: () => healthy().remove('configured', NAME).incomplete('nbd'),
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(liveExportMismatch.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('proposes a non-destructive restart with the reason and notes open sessions', () => {
    const b = healthy().remove('configured', NAME);
    b.sessions = 2;
    const [item] = liveExportMismatch.diff(b.build(), testPolicy(), NOW);
    expect(item?.contextId).toBe('ctx-web');
    expect(item?.actions).toEqual([
      { action: 'restart-nbd-server', params: { reason: `${NAME}: served but in no config file` }, destructive: false },
    ]);
    expect(item?.note).toMatch(/2 live session\(s\); the NBD manager restarts it only when idle/);
  });
});
