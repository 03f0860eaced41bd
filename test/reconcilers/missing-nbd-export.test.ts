import { describe, expect, it } from 'vitest';
import { missingNbdExport } from '../../reconcilers/missing-nbd-export.js';
import { NOW, testPolicy, WorldBuilder } from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const ID = 'missing-nbd-export:nbd-export:migration-vol-vol-web-0';
const noFile = (status = 'ready_for_failover'): WorldBuilder =>
  new WorldBuilder().healthyContext('web', { status }).remove('configured', 'migration-vol-vol-web-0');

describe('missing-nbd-export', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    {
      name: 'reports nothing in a healthy world',
      world: () => new WorldBuilder().healthyContext('web', { disks: 2 }),
      expected: [],
    },
    {
      name: 'adds the export of an OMA volume with no section',
      world: () => noFile(),
      expected: [`${ID} → add-nbd-export`],
    },
    {
      name: 'adds it for a replicating context too',
      world: () => noFile('replicating'),
      expected: [`${ID} → add-nbd-export`],
    },
    { name: 'adds nothing for a discovered context', world: () => noFile('discovered'), expected: [] },
    { name: 'adds nothing for a context failed over to test', world: () => noFile('failed_over_test'), expected: [] },
    {
      name: 'restores a missing row for an existing section',
      world: () => new WorldBuilder().healthyContext('web').remove('nbdExports', 'migration-vol-vol-web-0'),
      expected: [`${ID} → add-nbd-export`],
    },
    {
      name: 'rewrites a section that points at another path',
      world: () =>
        new WorldBuilder()
          .healthyContext('web')
          .patch('configured', 'migration-vol-vol-web-0', { exportname: '/dev/vdb' }),
      expected: [`${ID} → add-nbd-export`],
    },
    {
      name: 'allows a wanted export that was denied',
      world: () =>
        new WorldBuilder().healthyContext('web').patch('configured', 'migration-vol-vol-web-0', { denied: true }),
      expected: [`${ID} → add-nbd-export`],
    },
    {
      name: 'reports only while the by-id link is absent',
      world: () => noFile().remove('links', 'vol-web-0'),
      expected: [`${ID} → report`],
    },
    {
      name: 'reports only when the by-id prefix is ambiguous',
      world: () => noFile().patch('links', 'vol-web-0', { volumeId: null, ambiguousWith: ['vol-web-0', 'vol-web-0x'] }),
      expected: [`${ID} → report`],
    },
    // Issue 15: the export path is written only from an observed link, never from configuration alone.
    {
      name: 'reports only without device facts (the devices source is incomplete)',
      world: () => noFile().incomplete('devices'),
      expected: [`${ID} → report`],
    },
    {
      name: 'writes the observed link path, not the naming rule, when they differ',
      world: () => noFile().patch('links', 'vol-web-0', { path: '/dev/disk/by-id/virtio-volweb0-other' }),
      expected: [`${ID} → add-nbd-export`],
    },
    {
      name: 'says nothing when the config files were not all read',
      world: () => noFile().incomplete('nbd', 'conf.d/x.conf: parse error'),
      expected: [],
    },
    {
      name: 'says nothing for a volume that is not on the OMA',
      world: () => noFile().patch('volumes', 'vol-web-0', { virtualMachineId: null }),
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(missingNbdExport.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('asks for the by-id path and the row when both file and row are gone', () => {
    const [item] = missingNbdExport.diff(
      noFile().remove('nbdExports', 'migration-vol-vol-web-0').build(),
      testPolicy(),
      NOW,
    );
    expect(item?.class).toBe('missing');
    expect(item?.actions).toEqual([
      {
        action: 'add-nbd-export',
        params: {
          exportName: 'migration-vol-vol-web-0',
          devicePath: '/dev/disk/by-id/virtio-volweb0',
          volumeId: 'vol-web-0',
          contextId: 'ctx-web',
          rowId: null,
        },
        destructive: false,
      },
    ]);
  });
});
