/**
 * The gate pipeline: every proposed action meets the gates in the contract's order —
 * incomplete-source, sanity, ownership, grace, in-flight, paused, budget, mode, not-leader — and
 * stops at the first that blocks. Each verdict is kept on the action (`trail`) for `explain`. Pure:
 * the same drift, world and context give the same decisions.
 */
import { findInFlight } from '../../../reconcilers/lib/in-flight.js';
import { indexWorld, type WorldIndex } from '../../../reconcilers/lib/world-index.js';
import type { World } from '../../world/world.js';
import type { DriftItem, GateCheck, GatedAction, GatedDrift, ProposedAction } from '../../reconcile/types.js';
import { createPassBudget } from './budget-gate.js';
import type { GateContext } from './gate-context.js';
import { graceGate } from './grace-gate.js';
import { inFlightGate } from './in-flight-gate.js';
import { incompleteSourceGate } from './incomplete-source-gate.js';
import { effectiveMode, modeGate } from './mode-gate.js';
import { ownershipGate } from './ownership-gate.js';
import { pausedGate } from './paused-gate.js';
import { checkMassRewrites, checkSanity, sanityGate } from './sanity-gate.js';

/** What `applyGates` returns: the gated drift, and the breakers that tripped in this pass. */
export interface GateResult {
  readonly drift: readonly GatedDrift[];
  /**
   * `sanity`: the world looked wrong (the loop should drop to observe and alert); `budget`: an action
   * that would have run was held back by the budget (the loop should stay in dry-run until reset).
   */
  readonly tripped: { readonly sanity?: string; readonly budget?: string };
}

function decide(action: ProposedAction, trail: GateCheck[], dryRun: boolean): GatedAction {
  const block = trail.find((c) => !c.passed);
  return {
    ...action,
    decision: block ? 'blocked' : 'run',
    blockedBy: block?.gate ?? null,
    blockedReason: block?.detail ?? null,
    ...(dryRun && block?.gate === 'mode' ? { dryRun: true } : {}),
    trail,
  };
}

/** Applies every gate to every action of `items` (in order: the budget is spent first come, first served). */
export function applyGates(
  items: readonly DriftItem[],
  world: World,
  ctx: GateContext,
  idx: WorldIndex = indexWorld(world),
): GateResult {
  const inFlight = findInFlight(
    idx,
    ctx.policy,
    ctx.now,
    ctx.grace.override ?? ctx.policy.volumeOperationSettleSeconds,
  );
  const massRewrites = checkMassRewrites(items, world, ctx);
  const worldTrip = checkSanity(world, ctx);
  const rewriteTrip = massRewrites.size > 0 ? [...massRewrites.values()].join('; ') : null;
  const sanityTrip =
    worldTrip !== null && rewriteTrip !== null ? `${worldTrip}; ${rewriteTrip}` : (worldTrip ?? rewriteTrip);
  const budget = createPassBudget(ctx);
  const drift = items.map((item): GatedDrift => {
    const firstSeenAt = world.database.driftFirstSeen[item.id] ?? ctx.now.toISOString();
    const wouldAct = effectiveMode(item.kind, ctx) === 'enforce' && ctx.isLeader;
    const actions = item.actions.map((action) => {
      const checks: (() => GateCheck)[] = [
        () => incompleteSourceGate(world, ctx, item, action),
        () => sanityGate(worldTrip, action, massRewrites),
        () => ownershipGate(action),
        () => graceGate(item, action, firstSeenAt, ctx),
        () => inFlightGate(item, action, inFlight, world.nbd.server.sessions ?? 0),
        () => pausedGate(item, idx, world.passContext?.undoHolds),
        () => budget.check(item, action, wouldAct),
      ];
      const trail: GateCheck[] = [];
      for (const check of checks) {
        const verdict = check();
        trail.push(verdict);
        if (!verdict.passed) return decide(action, trail, false);
      }
      const mode = modeGate(item.kind, ctx);
      trail.push({ gate: mode.gate, passed: mode.passed, detail: mode.detail });
      if (!mode.passed) return decide(action, trail, mode.dryRun);
      trail.push(
        ctx.isLeader
          ? { gate: 'not-leader', passed: true, detail: 'leader' }
          : { gate: 'not-leader', passed: false, detail: 'another instance holds the leader lock' },
      );
      return decide(action, trail, false);
    });
    return { ...item, firstSeenAt, actions };
  });
  const budgetTrip = budget.tripped();
  return {
    drift,
    tripped: {
      ...(sanityTrip !== null ? { sanity: sanityTrip } : {}),
      ...(budgetTrip !== null ? { budget: budgetTrip } : {}),
    },
  };
}
