import type { DriftKind } from '../../world/drift-kinds.js';
import type { DriftItem, GateCheck, ProposedAction } from '../../reconcile/types.js';
import { workflowKey } from '../workflow-key.js';
import type { GateContext } from './gate-context.js';

/** The budget of one pass: counts destructive actions as they pass and remembers the first trip. */
export interface PassBudget {
  /** Checks one action; `wouldAct` says whether later gates (mode, leadership) would let it run. */
  check(item: DriftItem, action: ProposedAction, wouldAct: boolean): GateCheck;
  /** Why the budget tripped in this pass (an action that would have run was held back), or null. */
  tripped(): string | null;
}

/**
 * `budget`: at most `destructivePerPass` destructive actions per pass, and per kind at most
 * `destructivePerHourPerKind` including those that ran in the last hour. An action held back that
 * would otherwise have run trips the breaker: the loop then stays in dry-run until an operator resets.
 */
export function createPassBudget(ctx: GateContext): PassBudget {
  let inPass = 0;
  const byKind = new Map<DriftKind, number>();
  let trip: string | null = null;
  /** Workflows already counted in this pass (two reconcilers may propose the same run). */
  const counted = new Set<string>();
  return {
    check(item, action, wouldAct) {
      if (!action.destructive) return { gate: 'budget', passed: true, detail: 'non-destructive' };
      const workflow = workflowKey(action);
      if (workflow !== null && counted.has(workflow)) {
        return { gate: 'budget', passed: true, detail: 'the same workflow run is already counted in this pass' };
      }
      const kindCount = (ctx.budget.recentByKind[item.kind] ?? 0) + (byKind.get(item.kind) ?? 0);
      let reason: string | null = null;
      if (inPass >= ctx.budget.destructivePerPass) {
        reason = `${ctx.budget.destructivePerPass} destructive action(s) per pass already planned`;
      } else if (kindCount >= ctx.budget.destructivePerHourPerKind) {
        reason = `${item.kind} reached ${ctx.budget.destructivePerHourPerKind} destructive action(s) in the last hour`;
      }
      if (reason !== null) {
        if (wouldAct) trip ??= `budget exceeded: ${reason}`;
        return { gate: 'budget', passed: false, detail: reason };
      }
      inPass += 1;
      if (workflow !== null) counted.add(workflow);
      byKind.set(item.kind, (byKind.get(item.kind) ?? 0) + 1);
      return {
        gate: 'budget',
        passed: true,
        detail: `destructive ${inPass}/${ctx.budget.destructivePerPass} this pass, ${kindCount + 1}/${ctx.budget.destructivePerHourPerKind} this hour`,
      };
    },
    tripped: () => trip,
  };
}
