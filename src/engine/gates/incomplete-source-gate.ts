import type { World } from '../../world/world.js';
import type { DriftItem, GateCheck, ProposedAction } from '../../reconcile/types.js';
import { ACTION_SOURCES } from './action-sources.js';
import type { GateContext } from './gate-context.js';

/**
 * `incomplete-source`: a destructive action needs every source its reconciler needs, complete; a
 * non-destructive one only the sources its own preconditions come from. So an unreachable
 * nbd-server stops NBD repairs without holding up CloudStack ones, and vice versa.
 */
export function incompleteSourceGate(
  world: World,
  ctx: GateContext,
  item: DriftItem,
  action: ProposedAction,
): GateCheck {
  const own = ACTION_SOURCES[action.action];
  const needed = action.destructive ? [...new Set([...ctx.needs[item.kind], ...own])] : [...own];
  const missing = needed.filter((s) => !world.sources[s].complete);
  if (missing.length === 0) {
    return { gate: 'incomplete-source', passed: true, detail: `complete: ${needed.join(', ')}` };
  }
  const why = missing
    .map((s) => `${s} incomplete${world.sources[s].error ? ` (${world.sources[s].error ?? ''})` : ''}`)
    .join('; ');
  return {
    gate: 'incomplete-source',
    passed: false,
    detail: action.destructive ? `${why}: nothing destructive without complete ${needed.join(', ')}` : why,
  };
}
