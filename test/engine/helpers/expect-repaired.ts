/** The end state every repair test asserts. */
import { expect } from 'vitest';
import type { Harness } from './appliance-harness.js';
import { checkInvariants } from './check-invariants.js';
import { readAppliance } from './read-appliance.js';

/**
 * The appliance satisfies every §8 invariant, and it is settled: one more acting pass executes
 * nothing and plans no drift at all (repairs are idempotent).
 */
export async function expectRepairedAndIdle(h: Harness): Promise<void> {
  expect(checkInvariants(await readAppliance(h))).toEqual([]);
  const again = await h.pass();
  expect(again.executed).toEqual([]);
  expect(again.plan.summary.drift).toBe(0);
}
