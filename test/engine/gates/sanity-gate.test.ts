import { describe, expect, it } from 'vitest';
import { makeDrift } from '../../../reconcilers/lib/drift.js';
import { checkMassRewrites, checkSanity, sanityGate } from '../../../src/engine/gates/sanity-gate.js';
import type { DriftItem } from '../../../src/reconcile/types.js';
import { testGateContext } from '../../fixtures-world/gate-context.js';
import { csVolume, ledger, WorldBuilder } from '../../fixtures-world/world-builder.js';

const ctx = testGateContext();

describe('the sanity gate', () => {
  it('finds nothing wrong when inventories are close to the last good pass', () => {
    const b = new WorldBuilder().healthyContext('web', { disks: 4 });
    b.previousInventory = { database: 20, cloudstack: 7, nbd: 4 };
    expect(checkSanity(b.build(), ctx)).toBeNull();
  });

  it('trips when a source shrank below the ratio', () => {
    const b = new WorldBuilder().healthyContext('web').inventory('nbd', 4);
    b.previousInventory = { nbd: 40 };
    expect(checkSanity(b.build(), ctx)).toBe('nbd inventory 4 is below 50% of the last good pass (40)');
  });

  it('does not judge small baselines by the ratio', () => {
    const b = new WorldBuilder().healthyContext('web').inventory('nbd', 0);
    b.previousInventory = { nbd: 9 };
    expect(checkSanity(b.build(), ctx)).toBeNull();
  });

  it('leaves incomplete sources to the incomplete-source gate', () => {
    const b = new WorldBuilder().healthyContext('web').inventory('cloudstack', 1).incomplete('cloudstack');
    b.previousInventory = { cloudstack: 500 };
    expect(checkSanity(b.build(), ctx)).toBeNull();
  });

  it('trips when the database has no contexts but CloudStack holds ledger volumes', () => {
    const world = new WorldBuilder().add('volumes', csVolume('vol-1')).add('ledger', ledger('volume', 'vol-1')).build();
    expect(checkSanity(world, ctx)).toBe('the database has no VM contexts while CloudStack holds 1 ledger volume(s)');
  });

  it('accepts a fresh appliance with no contexts and no ledger volumes', () => {
    expect(checkSanity(new WorldBuilder().build(), ctx)).toBeNull();
  });

  it('blocks only destructive actions while tripped', () => {
    expect(sanityGate('db empty', { action: 'delete-volume', params: { volumeId: 'v' }, destructive: true })).toEqual({
      gate: 'sanity',
      passed: false,
      detail: 'db empty',
    });
    expect(
      sanityGate('db empty', {
        action: 'attach-volume-to-oma',
        params: { volumeId: 'v', omaVmId: 'o' },
        destructive: false,
      }).passed,
    ).toBe(true);
  });
});

describe('the sanity gate on mass rewrites (issue 15)', () => {
  const update = (id: string): DriftItem =>
    makeDrift({
      kind: 'device-mapping',
      class: 'mismatch',
      subject: { type: 'device-mapping', id, name: null },
      contextId: null,
      evidence: [],
      actions: [
        {
          action: 'update-device-mapping',
          params: { id, volumeUuid: id, vmId: 'oma', devicePath: `/x/${id}`, operationMode: 'oma' },
          destructive: false,
        },
      ],
    });
  const world = new WorldBuilder()
    .healthyContext('a')
    .healthyContext('b')
    .healthyContext('c')
    .healthyContext('d')
    .build();

  it('holds the rewrites of a table when more than the share of its rows would change in one pass', () => {
    const rows = world.database.deviceMappings.length;
    expect(rows).toBeGreaterThanOrEqual(4);
    const items = world.database.deviceMappings.map((m) => update(m.volumeUuid));
    const held = checkMassRewrites(items, world, ctx);
    expect(held.get('device_mappings')).toBe(
      `${rows} rewrites of device_mappings (${rows} rows) in one pass exceed 50% of the table`,
    );
    expect(sanityGate(null, items[0]!.actions[0]!, held)).toMatchObject({
      passed: false,
      detail: expect.stringMatching(/^mass rewrite held: /) as unknown,
    });
  });

  it('lets a few rewrites through, below the share or below the minimum count', () => {
    const two = world.database.deviceMappings.slice(0, 2).map((m) => update(m.volumeUuid));
    expect(checkMassRewrites(two, world, ctx).size).toBe(0);
    expect(
      checkMassRewrites(two, world, testGateContext({ sanity: { maxRewriteShare: 0.1, minRewritesForShare: 3 } })).size,
    ).toBe(0);
    expect(
      checkMassRewrites(two, world, testGateContext({ sanity: { maxRewriteShare: 0.1, minRewritesForShare: 2 } })).size,
    ).toBe(1);
  });
});
