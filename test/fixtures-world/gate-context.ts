/** A gate context for tests: enforce, leader, default grace/budget/sanity, registry needs. */
import { needsByKind } from '../../reconcilers/index.js';
import type { GateContext } from '../../src/engine/gates/gate-context.js';
import { NOW, testPolicy } from './world-builder.js';

type Overrides = Partial<Omit<GateContext, 'grace' | 'budget' | 'sanity'>> & {
  readonly grace?: Partial<GateContext['grace']>;
  readonly budget?: Partial<GateContext['budget']>;
  readonly sanity?: Partial<GateContext['sanity']>;
};

/** The default gate context of the fixtures, with overrides. */
export function testGateContext(o: Overrides = {}): GateContext {
  const { grace, budget, sanity, ...rest } = o;
  return {
    now: NOW,
    policy: testPolicy(),
    mode: 'enforce',
    modeByKind: {},
    modeCeiling: null,
    isLeader: true,
    needs: needsByKind(),
    ...rest,
    grace: { byKind: {}, override: null, ...grace },
    budget: { destructivePerPass: 10, destructivePerHourPerKind: 30, recentByKind: {}, ...budget },
    sanity: {
      minInventoryRatio: 0.5,
      minInventoryForRatio: 10,
      maxRewriteShare: 0.5,
      minRewritesForShare: 3,
      ...sanity,
    },
  };
}
