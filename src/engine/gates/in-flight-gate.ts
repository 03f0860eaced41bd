import { volumeIdFromExportName } from '../../../reconcilers/lib/names.js';
import { applianceHold, inFlightReason, type InFlight } from '../../../reconcilers/lib/in-flight.js';
import type { DriftItem, GateCheck, ProposedAction } from '../../reconcile/types.js';
import { WORKFLOW_ACTIONS } from './action-sources.js';

/** The CloudStack volumes an action touches (by id, mapping or export name). */
export function actionVolumeIds(action: ProposedAction): readonly string[] {
  const p = action.params as Readonly<Record<string, unknown>>;
  const ids: string[] = [];
  for (const key of ['volumeId', 'volumeUuid'] as const) {
    if (typeof p[key] === 'string' && p[key] !== '') ids.push(p[key]);
  }
  if (typeof p.exportName === 'string') {
    const id = volumeIdFromExportName(p.exportName);
    if (id !== null) ids.push(id);
  }
  return ids;
}

/**
 * `in-flight`: nothing touches a volume or context another writer is working on.
 * - The appliance's own work — a Volume Daemon operation on the volume (running, or ended within the
 *   settle window) or on a volume of the context, a running cleanup/rollback/failover job of the OMA —
 *   holds every action, our repair workflows included: one writer per object.
 * - A failover or a genuinely active replication holds the context, except for the workflow actions
 *   that exist to repair exactly that context.
 * - A restart of nbd-server waits while any NBD client is connected: it would drop every replication
 *   (incident 2), so the NBD manager would only defer it, and the action would be audited as done every pass.
 */
export function inFlightGate(item: DriftItem, action: ProposedAction, inFlight: InFlight, nbdSessions = 0): GateCheck {
  const held = applianceHold(inFlight, item.contextId, actionVolumeIds(action));
  if (held !== null) return { gate: 'in-flight', passed: false, detail: held };
  const reason = inFlightReason(inFlight, item.contextId);
  if (reason === null) {
    if (action.action === 'restart-nbd-server' && nbdSessions > 0) {
      return {
        gate: 'in-flight',
        passed: false,
        detail: `nbd-server has ${nbdSessions} live session(s); it is restarted only when idle`,
      };
    }
    return { gate: 'in-flight', passed: true, detail: item.contextId ? 'no job in progress' : 'no context' };
  }
  if (WORKFLOW_ACTIONS.has(action.action)) {
    return { gate: 'in-flight', passed: true, detail: `repair workflow (${reason})` };
  }
  return { gate: 'in-flight', passed: false, detail: reason };
}
