/**
 * The budget counts a workflow run once (issue 15, 6.5): `stuck-failover-job` and `cleanup-request`
 * may both propose the recovery of the same failover; execution runs it once, so a budget of 1 must
 * not trip on the second proposal.
 */
import { describe, expect, it } from 'vitest';
import { makeDrift } from '../../../reconcilers/lib/drift.js';
import { createPassBudget } from '../../../src/engine/gates/budget-gate.js';
import type { DriftItem, ProposedAction } from '../../../src/reconcile/types.js';
import { testGateContext } from '../../fixtures-world/gate-context.js';

const recovery = (failoverJobId: string): ProposedAction => ({
  action: 'run-failed-execution-cleanup',
  params: { contextId: 'ctx-web', failoverJobId, vmName: 'web' },
  destructive: true,
});

function proposal(kind: 'stuck-failover-job' | 'cleanup-request', action: ProposedAction): DriftItem {
  return makeDrift({
    kind,
    class: kind === 'cleanup-request' ? 'requested' : 'stuck',
    subject: { type: 'failover-job', id: 'fo-1', name: 'web' },
    contextId: 'ctx-web',
    evidence: [],
    actions: [action],
  });
}

describe('the budget gate', () => {
  it('counts one workflow run once, whichever reconcilers propose it', () => {
    const budget = createPassBudget(testGateContext({ budget: { destructivePerPass: 1 } }));
    const first = proposal('stuck-failover-job', recovery('fo-1'));
    const second = proposal('cleanup-request', recovery('fo-1'));
    expect(budget.check(first, first.actions[0]!, true)).toMatchObject({ passed: true });
    expect(budget.check(second, second.actions[0]!, true)).toEqual({
      gate: 'budget',
      passed: true,
      detail: 'the same workflow run is already counted in this pass',
    });
    expect(budget.tripped()).toBeNull();
  });

  it('still counts a different workflow run against the budget', () => {
    const budget = createPassBudget(testGateContext({ budget: { destructivePerPass: 1 } }));
    const first = proposal('stuck-failover-job', recovery('fo-1'));
    const other = proposal('cleanup-request', recovery('fo-2'));
    expect(budget.check(first, first.actions[0]!, true)).toMatchObject({ passed: true });
    expect(budget.check(other, other.actions[0]!, true)).toMatchObject({
      passed: false,
      detail: '1 destructive action(s) per pass already planned',
    });
    expect(budget.tripped()).toBe('budget exceeded: 1 destructive action(s) per pass already planned');
  });
});
