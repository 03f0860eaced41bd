import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/appliance-harness.js';
import { checkInvariants } from './helpers/check-invariants.js';
import { fingerprint, readAppliance } from './helpers/read-appliance.js';

describe('a freshly built appliance', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('already satisfies every invariant, and the plan finds no drift with every source complete', async () => {
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
    const planned = await h.plan();
    expect(Object.values(planned.world.sources).map((s) => s.complete)).toEqual([true, true, true, true, true]);
    expect(planned.gated).toEqual([]);
  });

  it('is left exactly as it was by an apply, which has nothing to do', async () => {
    const before = await fingerprint(h);
    const result = await h.pass();
    expect(result.executed).toEqual([]);
    expect(result.plan.summary).toEqual({ drift: 0, actionsToRun: 0, actionsBlocked: 0, complete: true });
    expect(await fingerprint(h)).toEqual(before);
  });
});
