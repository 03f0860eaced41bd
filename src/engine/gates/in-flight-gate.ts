import { inFlightReason, type InFlight } from '../../../reconcilers/lib/in-flight.js';
import type { DriftItem, GateCheck, ProposedAction } from '../types.js';
import { WORKFLOW_ACTIONS } from './action-sources.js';

/**
 * `in-flight`: nothing touches a context while a failover or a genuinely active replication works on
 * it — except the workflow actions that exist to repair exactly that context.
 */
export function inFlightGate(item: DriftItem, action: ProposedAction, inFlight: InFlight): GateCheck {
  const reason = inFlightReason(inFlight, item.contextId);
  if (reason === null) return { gate: 'in-flight', passed: true, detail: item.contextId ? 'no job in progress' : 'no context' };
  if (WORKFLOW_ACTIONS.has(action.action)) return { gate: 'in-flight', passed: true, detail: `repair workflow (${reason})` };
  return { gate: 'in-flight', passed: false, detail: reason };
}
