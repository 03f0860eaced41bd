import type { GateCheck, ProposedAction } from '../../reconcile/types.js';
import { CLOUDSTACK_OBJECT_ACTIONS } from './action-sources.js';

/**
 * `ownership`: an action against a CloudStack object runs only when every ownership check the
 * reconciler established holds (N of N); without evidence it never runs.
 */
export function ownershipGate(action: ProposedAction): GateCheck {
  if (action.ownership) {
    const entries = Object.entries(action.ownership);
    const failed = entries.filter(([, ok]) => !ok).map(([name]) => name);
    return failed.length === 0
      ? { gate: 'ownership', passed: true, detail: `${entries.length}/${entries.length} ownership checks hold` }
      : { gate: 'ownership', passed: false, detail: `ownership checks failing: ${failed.join(', ')}` };
  }
  if (CLOUDSTACK_OBJECT_ACTIONS.has(action.action)) {
    return { gate: 'ownership', passed: false, detail: 'no ownership evidence for a CloudStack object' };
  }
  return { gate: 'ownership', passed: true, detail: 'not a CloudStack object' };
}
