/**
 * volume-attachment — a volume of a context that is not failed over must be attached to the OMA VM
 * (§8.1): replication writes into it through the OMA's NBD export. A failed failover or cleanup can
 * leave it detached, or attached to a test VM.
 *
 * Desired: `ossea_volumes` rows of contexts in `ready_for_failover`, `replicating` or `discovered`
 * (database). Actual: the volume's `virtualmachineid` in CloudStack, against the OMA VM id, which
 * must be confirmed by CloudStack (incident 12) or nothing is said.
 *
 * Actions: detached → `attach-volume-to-oma` (non-destructive). Attached to another VM with no
 * failover in flight → report only: moving it is the failover recovery's job (stuck-failover-job,
 * cleanup requests). Safety rails: in-flight (a replication or failover moving volumes), paused.
 */
import type { DriftItem, Policy } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { World } from '../src/world/world.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { ON_OMA_STATES } from './lib/context-states.js';
import { findInFlight } from './lib/in-flight.js';
import { resolveOmaVm } from './lib/oma-vm.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';
import { isVolumeAttachable } from '../src/world/cloudstack-states.js';

function diff(world: World, policy: Policy, now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete) return [];
  const oma = resolveOmaVm(idx, policy);
  if (!oma.verified || oma.id === null) return [];
  const omaVmId = oma.id;
  const inFlight = findInFlight(idx, policy, now);
  const items: DriftItem[] = [];
  for (const row of world.database.osseaVolumes) {
    const ctx = idx.contexts.get(row.vmContextId);
    const volume = idx.csVolumes.get(row.volumeId);
    if (!ctx || !ON_OMA_STATES.includes(ctx.currentStatus) || !volume || volume.virtualMachineId === omaVmId) continue;
    const base = {
      kind: 'volume-attachment' as const,
      class: 'mismatch' as const,
      subject: { type: 'volume' as const, id: volume.id, name: volume.name },
      contextId: ctx.contextId,
    };
    const dbFact = fact(
      'database',
      `ossea_volumes row ${row.id} of ${ctx.vmName} (${ctx.currentStatus}); the volume belongs on the OMA VM ${omaVmId}`,
    );
    if (volume.virtualMachineId === null) {
      items.push(
        makeDrift({
          ...base,
          evidence: [dbFact, fact('cloudstack', `volume ${volume.state}, attached to no VM`)],
          actions: isVolumeAttachable(volume.state)
            ? [{ action: 'attach-volume-to-oma', params: { volumeId: volume.id, omaVmId }, destructive: false }]
            : [],
          note: isVolumeAttachable(volume.state) ? null : `volume is ${volume.state}; it cannot be attached`,
        }),
      );
      continue;
    }
    if (inFlight.failover.has(ctx.contextId)) continue;
    items.push(
      makeDrift({
        ...base,
        evidence: [
          dbFact,
          fact(
            'cloudstack',
            `volume attached to VM ${volume.vmName ?? '?'} (${volume.virtualMachineId}, deviceid ${volume.deviceId ?? '?'}, ${volume.vmState ?? 'state unknown'})`,
          ),
        ],
        actions: [],
        note:
          `report only: attached to another VM with no failover in flight; the failover recovery owns the move ` +
          `(see stuck-failover-job / leftover-test-vm, or request a cleanup of the failover job)`,
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "attaches to the OMA VM id in force, non-destructively": ctx-web is ready_for_failover, its
 * // vol-web-0 is Ready and attached to no VM
 * volumeAttachment.diff(world, policy, now)
 * // → [{ id: 'volume-attachment:volume:vol-web-0', class: 'mismatch', actions: [{ action: 'attach-volume-to-oma',
 * //      params: { volumeId: 'vol-web-0', omaVmId: 'oma-vm' }, destructive: false }] }]
 */
export const volumeAttachment: Reconciler = { kind: 'volume-attachment', needs: ['database', 'cloudstack'], diff };
