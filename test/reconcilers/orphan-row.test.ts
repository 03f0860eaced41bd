import { describe, expect, it } from 'vitest';
import { orphanRow } from '../../reconcilers/orphan-row.js';
import type { VolumeOperationRow } from '../../src/world/world.js';
import { ago, NOW, testPolicy, WorldBuilder } from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const op = (id: string, fields: Partial<VolumeOperationRow> = {}): VolumeOperationRow => ({
  id,
  type: 'attach',
  status: 'executing',
  volumeId: 'vol-web-0',
  vmId: 'oma-vm',
  createdAt: ago(7300),
  updatedAt: ago(7200),
  ...fields,
});
const legacy = {
  id: '7',
  vmName: 'web',
  exportName: 'migration-vm-4201-disk0',
  devicePath: '/dev/vdc',
  status: 'active',
};
/** vol-web-0 deleted from CloudStack and its export file gone: only the row is left. */
const rowOnly = (): WorldBuilder =>
  new WorldBuilder()
    .healthyContext('web')
    .remove('volumes', 'vol-web-0')
    .remove('configured', 'migration-vol-vol-web-0');

describe('orphan-row', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    { name: 'reports nothing in a healthy world', world: () => new WorldBuilder().healthyContext('web'), expected: [] },
    {
      name: 'deletes an nbd_exports row whose volume is gone',
      world: rowOnly,
      expected: ['orphan-row:row:nbd_exports/nbd-vol-web-0 → delete-row'],
    },
    {
      name: 'leaves the row to orphan-nbd-export while its export file exists',
      world: () => new WorldBuilder().healthyContext('web').remove('volumes', 'vol-web-0'),
      expected: [],
    },
    {
      name: 'says nothing about nbd_exports rows without a complete CloudStack listing',
      world: () => rowOnly().incomplete('cloudstack'),
      expected: [],
    },
    {
      name: 'deletes a legacy vm_export_mappings row no export uses',
      world: () => new WorldBuilder().add('vmExportMappings', legacy),
      expected: ['orphan-row:row:vm_export_mappings/7 → delete-row'],
    },
    {
      name: 'reports a legacy row whose export is still configured',
      world: () =>
        new WorldBuilder().add('vmExportMappings', legacy).add('configured', {
          name: legacy.exportName,
          file: '/etc/nbd-server/config',
          exportname: '/dev/vdc',
          authfile: null,
          managed: false,
          denied: false,
        }),
      expected: ['orphan-row:row:vm_export_mappings/7 → report'],
    },
    {
      name: 'says nothing about legacy rows without complete nbd facts',
      world: () => new WorldBuilder().add('vmExportMappings', legacy).incomplete('nbd'),
      expected: [],
    },
    {
      name: 'fails a volume operation stuck executing past the threshold',
      world: () => new WorldBuilder().healthyContext('web').add('volumeOperations', op('op-1')),
      expected: ['orphan-row:row:volume_operations/op-1 → fail-volume-operation'],
    },
    {
      name: 'fails a recent operation of ours at once when its writer session has ended (the process was killed)',
      world: () =>
        new WorldBuilder()
          .healthyContext('web')
          .add('volumeOperations', op('op-4', { createdAt: ago(5), updatedAt: ago(5), writerGone: true })),
      expected: ['orphan-row:row:volume_operations/op-4 → fail-volume-operation'],
    },
    {
      name: 'leaves a recent pending operation alone',
      world: () => new WorldBuilder().add('volumeOperations', op('op-2', { status: 'pending', updatedAt: ago(120) })),
      expected: [],
    },
    {
      name: 'leaves finished operations alone',
      world: () => new WorldBuilder().add('volumeOperations', op('op-3', { status: 'completed' })),
      expected: [],
    },
    { name: 'stands down without a complete database', world: () => rowOnly().incomplete('database'), expected: [] },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(orphanRow.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('marks row deletion destructive and the operation failure not', () => {
    const items = orphanRow.diff(rowOnly().add('volumeOperations', op('op-1')).build(), testPolicy(), NOW);
    expect(items.map((d) => [d.actions[0]?.action, d.actions[0]?.destructive, d.contextId])).toEqual([
      ['delete-row', true, 'ctx-web'],
      ['fail-volume-operation', false, 'ctx-web'],
    ]);
  });
});
