import { describe, expect, it } from 'vitest';
import { orphanVolume } from '../../reconcilers/orphan-volume.js';
import { ago, csVolume, ledger, NOW, OMA_VM_ID, testPolicy, WorldBuilder } from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const policy = testPolicy();

/** A healthy world plus vol-old: ours (ledger), its rows gone, still attached to the OMA. */
function orphanOnOma(): WorldBuilder {
  return new WorldBuilder()
    .healthyContext('web')
    .add(
      'volumes',
      csVolume('vol-old', {
        name: 'migration-old-old-disk-0',
        virtualMachineId: OMA_VM_ID,
        vmName: 'oma-appliance',
        deviceId: 5,
      }),
    )
    .add('ledger', ledger('volume', 'vol-old', 'ossea_volumes.volume_id of ctx-old'));
}

describe('orphan-volume', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    {
      name: 'reports nothing in a healthy world',
      world: () => new WorldBuilder().healthyContext('web', { disks: 2 }),
      expected: [],
    },
    {
      name: 'quarantines a ledger volume no row references any more',
      world: orphanOnOma,
      expected: ['orphan-volume:volume:vol-old → quarantine-volume'],
    },
    {
      name: 'deletes a quarantined detached volume (the TTL is left to the grace gate as notBefore)',
      world: () =>
        orphanOnOma().patch('volumes', 'vol-old', {
          virtualMachineId: null,
          vmName: null,
          tags: { 'oma-reconciler/quarantined-at': ago(8 * 86400) },
        }),
      expected: ['orphan-volume:volume:vol-old → delete-volume'],
    },
    {
      name: 'does not delete a quarantined volume that was attached again',
      world: () =>
        orphanOnOma().patch('volumes', 'vol-old', { tags: { 'oma-reconciler/quarantined-at': ago(8 * 86400) } }),
      expected: ['orphan-volume:volume:vol-old → report'],
    },
    {
      name: 'ignores volumes that are neither in the ledger nor named like ours',
      world: () => new WorldBuilder().add('volumes', csVolume('data-1', { name: 'customer-data' })),
      expected: [],
    },
    {
      name: 'reports only when the volume’s device is in use on the OMA',
      world: () =>
        orphanOnOma().add('links', {
          name: 'virtio-volold',
          path: '/dev/disk/by-id/virtio-volold',
          target: '/dev/vdf',
          volumeId: 'vol-old',
          ambiguousWith: [],
          busy: ['mount:/mnt/x (vdf1)'],
        }),
      expected: ['orphan-volume:volume:vol-old → report'],
    },
    {
      name: 'ignores volumes already being destroyed',
      world: () => orphanOnOma().patch('volumes', 'vol-old', { state: 'Destroy' }),
      expected: [],
    },
    {
      name: 'stands down when the database was not read completely',
      world: () => orphanOnOma().incomplete('database'),
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(orphanVolume.diff(world().build(), policy, NOW))).toEqual(expected);
  });

  it('proposes the quarantine with all ownership checks holding and the PCI slot in the evidence', () => {
    const [item] = orphanVolume.diff(orphanOnOma().build(), policy, NOW);
    expect(item?.class).toBe('orphan');
    expect(item?.actions).toEqual([
      {
        action: 'quarantine-volume',
        params: { volumeId: 'vol-old', detachFromVmId: OMA_VM_ID },
        destructive: true,
        ownership: {
          inLedger: true,
          namedLikeOurs: true,
          noReferencingRow: true,
          notOmaRootVolume: true,
          notLiveFailoverVm: true,
        },
      },
    ]);
    expect(item?.evidence.map((e) => e.fact).join(' | ')).toContain('PCI slot');
  });

  it('sets notBefore to the quarantine time plus the TTL', () => {
    const at = ago(3600);
    const world = orphanOnOma()
      .patch('volumes', 'vol-old', { virtualMachineId: null, tags: { 'oma-reconciler/quarantined-at': at } })
      .build();
    const [item] = orphanVolume.diff(world, testPolicy({ quarantineTtlSeconds: 7200 }), NOW);
    expect(item?.actions[0]?.notBefore).toBe(new Date(Date.parse(at) + 7200_000).toISOString());
  });

  it('reports a migration-named volume that was never in the ledger with ownership failing and how to adopt it', () => {
    const world = new WorldBuilder().add('volumes', csVolume('vol-x', { name: 'migration-lookalike-disk-0' })).build();
    const [item] = orphanVolume.diff(world, policy, NOW);
    expect(item?.actions[0]?.ownership?.inLedger).toBe(false);
    expect(item?.note).toMatch(/adopt it: oma-reconciler adopt volume \S+ --reason TEXT/);
  });

  it('marks a volume on a live-failover VM and the OMA ROOT volume as not ours to delete', () => {
    const world = new WorldBuilder()
      .add('contexts', {
        contextId: 'ctx-db',
        vmName: 'db',
        vmwareVmId: '1',
        currentStatus: 'failed_over_live',
        currentJobId: null,
        lastSuccessfulJobId: null,
        updatedAt: ago(60),
        annotations: {},
      })
      .add('vms', { id: 'live-1', name: 'db', displayName: 'db', state: 'Running', created: ago(600) })
      .add('volumes', csVolume('vol-live', { virtualMachineId: 'live-1', vmName: 'db' }))
      .add('ledger', ledger('volume', 'vol-live'), ledger('volume', 'oma-root'))
      .build();
    const byId = new Map(orphanVolume.diff(world, policy, NOW).map((d) => [d.subject.id, d.actions[0]?.ownership]));
    expect(byId.get('vol-live')?.notLiveFailoverVm).toBe(false);
    expect(byId.get('oma-root')?.notOmaRootVolume).toBe(false);
  });

  it('returns items sorted by id whatever the listing order', () => {
    const b = new WorldBuilder();
    for (const id of ['vol-c', 'vol-a', 'vol-b']) b.add('volumes', csVolume(id)).add('ledger', ledger('volume', id));
    expect(orphanVolume.diff(b.build(), policy, NOW).map((d) => d.subject.id)).toEqual(['vol-a', 'vol-b', 'vol-c']);
  });
});
