import { describe, expect, it } from 'vitest';
import { checkSanity, sanityGate } from '../../../src/engine/gates/sanity-gate.js';
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
    expect(sanityGate('db empty', { action: 'delete-volume', params: { volumeId: 'v' }, destructive: true })).toEqual({ gate: 'sanity', passed: false, detail: 'db empty' });
    expect(sanityGate('db empty', { action: 'attach-volume-to-oma', params: { volumeId: 'v', omaVmId: 'o' }, destructive: false }).passed).toBe(true);
  });
});
