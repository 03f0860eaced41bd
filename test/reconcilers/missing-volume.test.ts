import { describe, expect, it } from 'vitest';
import { missingVolume } from '../../reconcilers/missing-volume.js';
import { NOW, testPolicy, WorldBuilder } from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const gone = (): WorldBuilder => new WorldBuilder().healthyContext('web', { disks: 2 }).remove('volumes', 'vol-web-1');

describe('missing-volume', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    {
      name: 'reports nothing when every row has its volume',
      world: () => new WorldBuilder().healthyContext('web', { disks: 2 }),
      expected: [],
    },
    {
      name: 'reports a row whose volume CloudStack no longer has, without acting',
      world: gone,
      expected: ['missing-volume:volume:vol-web-1 → report'],
    },
    {
      name: 'says nothing when the CloudStack listing is incomplete (absence proves nothing)',
      world: () => gone().incomplete('cloudstack'),
      expected: [],
    },
    { name: 'says nothing when the database is incomplete', world: () => gone().incomplete('database'), expected: [] },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(missingVolume.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('records where the data was and that only a cleanup request removes the row', () => {
    const [item] = missingVolume.diff(gone().build(), testPolicy(), NOW);
    expect(item?.contextId).toBe('ctx-web');
    expect(item?.evidence[0]?.fact).toContain('device path /dev/disk/by-id/virtio-volweb1');
    expect(item?.note).toMatch(/was on CloudStack volume vol-web-1; the row is removed only by a cleanup request/);
  });
});
