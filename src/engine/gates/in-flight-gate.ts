import { inFlightReason, type InFlight } from '../../../reconcilers/lib/in-flight.js';
import type { DriftItem, GateCheck, ProposedAction } from '../../reconcile/types.js';
import { WORKFLOW_ACTIONS } from './action-sources.js';

/**
 * `in-flight`: nothing touches a context while a failover or a genuinely active replication works on
 * it — except the workflow actions that exist to repair exactly that context. A restart of
 * nbd-server waits while any NBD client is connected: it would drop every replication (incident 2),
 * so the NBD manager would only defer it, and the action would be audited as done every pass.
 */
export function inFlightGate(item: DriftItem, action: ProposedAction, inFlight: InFlight, nbdSessions = 0): GateCheck {
  const reason = inFlightReason(inFlight, item.contextId);
  if (reason === null) {
    if (action.action === 'restart-nbd-server' && nbdSessions > 0) {
      return { gate: 'in-flight', passed: false, detail: `nbd-server has ${nbdSessions} live session(s); it is restarted only when idle` };
    }
    return { gate: 'in-flight', passed: true, detail: item.contextId ? 'no job in progress' : 'no context' };
  }
  if (WORKFLOW_ACTIONS.has(action.action)) return { gate: 'in-flight', passed: true, detail: `repair workflow (${reason})` };
  return { gate: 'in-flight', passed: false, detail: reason };
}
