import { describe, expect, it } from 'vitest';
import { orphanNbdExport } from '../../reconcilers/orphan-nbd-export.js';
import type { NbdConfiguredExport } from '../../src/world/world.js';
import {
  ago,
  CONF_DIR,
  csVolume,
  failoverJob,
  jobTracking,
  NOW,
  OMA_VM_ID,
  testPolicy,
  WorldBuilder,
} from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const exportSection = (name: string, fields: Partial<NbdConfiguredExport> = {}): NbdConfiguredExport => ({
  name,
  file: `${CONF_DIR}/${name}.conf`,
  exportname: '/dev/disk/by-id/virtio-x',
  authfile: null,
  managed: false,
  denied: false,
  ...fields,
});
const movedToTestVm = (): WorldBuilder =>
  new WorldBuilder()
    .healthyContext('web', { status: 'failed_over_test' })
    .add('vms', { id: 'tvm-1', name: 'web-test-1772400000', displayName: null, state: 'Running', created: ago(3600) })
    .patch('volumes', 'vol-web-0', { virtualMachineId: 'tvm-1', vmName: 'web-test-1772400000', deviceId: 0 });

describe('orphan-nbd-export', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    {
      name: 'reports nothing in a healthy world',
      world: () => new WorldBuilder().healthyContext('web', { disks: 2 }),
      expected: [],
    },
    {
      name: 'removes the export of a volume that moved to a test VM',
      world: movedToTestVm,
      expected: ['orphan-nbd-export:nbd-export:migration-vol-vol-web-0 → remove-nbd-export'],
    },
    {
      name: 'removes the export of a detached volume whose context does not want it on the OMA',
      world: () =>
        new WorldBuilder()
          .healthyContext('web', { status: 'failed_over_test' })
          .patch('volumes', 'vol-web-0', { virtualMachineId: null }),
      expected: ['orphan-nbd-export:nbd-export:migration-vol-vol-web-0 → remove-nbd-export'],
    },
    {
      name: 'keeps the export of a detached volume that volume-attachment will reattach',
      world: () => new WorldBuilder().healthyContext('web').patch('volumes', 'vol-web-0', { virtualMachineId: null }),
      expected: [],
    },
    {
      name: 'removes an export file with no row whose volume is not ours',
      world: () =>
        new WorldBuilder()
          .add('volumes', csVolume('vol-z', { virtualMachineId: OMA_VM_ID }))
          .add('configured', exportSection('migration-vol-vol-z')),
      expected: ['orphan-nbd-export:nbd-export:migration-vol-vol-z → remove-nbd-export'],
    },
    {
      name: 'keeps an export of our volume on the OMA even when its row is missing (missing-nbd-export restores the row)',
      world: () => new WorldBuilder().healthyContext('web').remove('nbdExports', 'migration-vol-vol-web-0'),
      expected: [],
    },
    {
      name: 'removes the export of a volume CloudStack no longer has',
      world: () => new WorldBuilder().healthyContext('web').remove('volumes', 'vol-web-0'),
      expected: ['orphan-nbd-export:nbd-export:migration-vol-vol-web-0 → remove-nbd-export'],
    },
    {
      name: 'cannot tell when the volume is missing from a partial CloudStack listing',
      world: () => new WorldBuilder().healthyContext('web').remove('volumes', 'vol-web-0').incomplete('cloudstack'),
      expected: [],
    },
    {
      name: 'never touches dummy, generic or backup exports',
      world: () =>
        new WorldBuilder().add(
          'configured',
          exportSection('dummy'),
          exportSection('generic'),
          exportSection('backup-ctx-web-disk0-full-20260301T000000'),
        ),
      expected: [],
    },
    {
      name: 'reports legacy migration-vm exports without acting',
      world: () => new WorldBuilder().add('configured', exportSection('migration-vm-4201-disk0')),
      expected: ['orphan-nbd-export:nbd-export:migration-vm-4201-disk0 → report'],
    },
    {
      name: 'skips an export whose removal is already pending',
      world: () =>
        movedToTestVm().add('pending', {
          exportName: 'migration-vol-vol-web-0',
          change: 'remove',
          since: ago(60),
          reason: 'sessions open',
        }),
      expected: [],
    },
    {
      name: 'still proposes removal while a failover runs (the in-flight gate holds it)',
      world: () =>
        movedToTestVm().add('failoverJobs', failoverJob('fj-1', 'ctx-web')).add('jobTracking', jobTracking('fj-1')),
      expected: ['orphan-nbd-export:nbd-export:migration-vol-vol-web-0 → remove-nbd-export'],
    },
    {
      name: 'stands down without a complete database',
      world: () => movedToTestVm().incomplete('database'),
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(orphanNbdExport.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('removes file and row together and ties the item to the context', () => {
    const [item] = orphanNbdExport.diff(movedToTestVm().build(), testPolicy(), NOW);
    expect(item?.contextId).toBe('ctx-web');
    expect(item?.actions).toEqual([
      {
        action: 'remove-nbd-export',
        params: {
          exportName: 'migration-vol-vol-web-0',
          file: `${CONF_DIR}/migration-vol-vol-web-0.conf`,
          rowId: 'nbd-vol-web-0',
        },
        destructive: true,
      },
    ]);
  });

  it('applies only the missing-row rule when the OMA VM is unconfirmed, and keeps exports of our volumes', () => {
    const b = movedToTestVm()
      .add('volumes', csVolume('vol-z'))
      .add('configured', exportSection('migration-vol-vol-z'))
      .remove('vms', OMA_VM_ID);
    expect(summarize(orphanNbdExport.diff(b.build(), testPolicy(), NOW))).toEqual([
      'orphan-nbd-export:nbd-export:migration-vol-vol-z → remove-nbd-export',
    ]);
  });
});
