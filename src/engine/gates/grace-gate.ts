import type { DriftKind } from '../../world/drift-kinds.js';
import type { DriftItem, GateCheck, ProposedAction } from '../../reconcile/types.js';
import type { GateContext } from './gate-context.js';
import { DEFAULT_GRACE_SECONDS } from './grace-defaults.js';

/** The grace period of a kind in force: `--grace-seconds`, else config, else the default. */
export function graceSecondsFor(kind: DriftKind, ctx: GateContext): number {
  return ctx.grace.override ?? ctx.grace.byKind[kind] ?? DEFAULT_GRACE_SECONDS[kind];
}

/**
 * `grace`: the drift must have been seen for at least its kind's grace period (first seen now when
 * new), and the action's own `notBefore` (e.g. the quarantine TTL) must have passed.
 */
export function graceGate(item: DriftItem, action: ProposedAction, firstSeenAt: string, ctx: GateContext): GateCheck {
  const grace = graceSecondsFor(item.kind, ctx);
  const seen = Date.parse(firstSeenAt);
  const age = Number.isNaN(seen) ? 0 : Math.floor((ctx.now.getTime() - seen) / 1000);
  if (age < grace) {
    return {
      gate: 'grace',
      passed: false,
      detail: `first seen ${firstSeenAt}, ${age}s ago; ${item.kind} waits ${grace}s`,
    };
  }
  if (action.notBefore !== undefined) {
    const notBefore = Date.parse(action.notBefore);
    if (Number.isNaN(notBefore) || ctx.now.getTime() < notBefore) {
      return { gate: 'grace', passed: false, detail: `not before ${action.notBefore}` };
    }
  }
  return {
    gate: 'grace',
    passed: true,
    detail: `seen for ${age}s (grace ${grace}s)${action.notBefore ? `, past ${action.notBefore}` : ''}`,
  };
}
