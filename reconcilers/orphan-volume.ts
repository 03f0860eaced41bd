/**
 * orphan-volume — a CloudStack volume that is ours but that no `ossea_volumes` row references any
 * more (a deleted context or job cascaded its rows away, §1.3 and incident 22). Attached to the OMA it
 * also holds a PCI slot and eventually blocks new attachments (incident 1).
 *
 * Desired: the `ossea_volumes.volume_id` set (database). Actual: CloudStack volumes. "Ours" means
 * listed in the ownership ledger (recorded from the database, or adopted by an operator); a volume
 * only *named* `migration-*` is reported with its ownership checks failing and a note on adoption.
 *
 * Actions: `quarantine-volume` (detach if attached, tag `oma-reconciler/quarantined-at`; undoable),
 * then `delete-volume` once the tag is older than `quarantineTtlSeconds` (`notBefore`).
 * Safety rails: grace (default 1 h), ownership (all five checks), never the OMA's ROOT volume, never a
 * volume on a live-failover VM, never a device in use on the OMA (mount, holder, open file), budget,
 * sanity. Stands down without a complete database.
 */
import type { DriftItem, OwnershipChecks, Policy, ProposedAction } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { CsVolume, World } from '../src/world/world.js';
import { deviceUsers } from './lib/device-use.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { isMigrationVolumeName, QUARANTINE_TAG } from './lib/names.js';
import { adoptionNote, failedChecks, inLedger, mayBeProductionVm } from './lib/ownership.js';
import { addSeconds, parseTime } from './lib/time.js';
import { indexWorld, ledgerKey, type WorldIndex } from './lib/world-index.js';
import { isVolumeGone } from '../src/world/cloudstack-states.js';

function ownershipOf(idx: WorldIndex, volume: CsVolume, omaVmId: string | null): OwnershipChecks {
  return {
    inLedger: inLedger(idx, 'volume', volume.id),
    namedLikeOurs: isMigrationVolumeName(volume.name),
    noReferencingRow: !idx.osseaVolumes.has(volume.id),
    notOmaRootVolume: !(volume.type === 'ROOT' && (volume.virtualMachineId === omaVmId || omaVmId === null)),
    notLiveFailoverVm: !mayBeProductionVm(idx, volume.virtualMachineId, omaVmId),
  };
}

function actionsFor(
  volume: CsVolume,
  ownership: OwnershipChecks,
  policy: Policy,
  users: readonly string[],
): {
  actions: ProposedAction[];
  note: string | null;
} {
  if (users.length > 0) {
    return { actions: [], note: `report only: its device on the OMA is in use (${users.join(', ')}); not detached` };
  }
  const taggedAt = volume.tags[QUARANTINE_TAG];
  if (taggedAt === undefined) {
    return {
      actions: [
        {
          action: 'quarantine-volume',
          params: { volumeId: volume.id, detachFromVmId: volume.virtualMachineId },
          destructive: true,
          ownership,
        },
      ],
      note: null,
    };
  }
  const notBefore = parseTime(taggedAt) === null ? null : addSeconds(taggedAt, policy.quarantineTtlSeconds);
  if (notBefore === null) return { actions: [], note: `quarantine tag value "${taggedAt}" is not a time; not deleted` };
  if (volume.virtualMachineId !== null) {
    return {
      actions: [],
      note: `quarantined at ${taggedAt} but attached again to ${volume.vmName ?? volume.virtualMachineId}; not deleted (remove the tag to keep it)`,
    };
  }
  return {
    actions: [{ action: 'delete-volume', params: { volumeId: volume.id }, destructive: true, ownership, notBefore }],
    note: null,
  };
}

function placement(volume: CsVolume, omaVmId: string | null): string {
  if (volume.virtualMachineId === null) return 'not attached';
  const onOma = volume.virtualMachineId === omaVmId;
  const vm = onOma ? 'the OMA VM' : `VM ${volume.vmName ?? '?'}`;
  return `attached to ${vm} (${volume.virtualMachineId}, deviceid ${volume.deviceId ?? '?'})${onOma ? ', holding a PCI slot' : ''}`;
}

function diff(world: World, policy: Policy, _now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete) return [];
  const omaVmId = policy.omaVmId ?? world.omaVmId;
  const items: DriftItem[] = [];
  for (const volume of world.cloudstack.volumes) {
    if (idx.osseaVolumes.has(volume.id) || isVolumeGone(volume.state)) continue;
    const ledgered = inLedger(idx, 'volume', volume.id);
    if (!ledgered && !isMigrationVolumeName(volume.name)) continue;
    const ownership = ownershipOf(idx, volume, omaVmId);
    const users =
      volume.virtualMachineId !== null && volume.virtualMachineId === omaVmId ? deviceUsers(idx, volume.id) : [];
    const { actions, note } = actionsFor(volume, ownership, policy, users);
    const failed = failedChecks(ownership);
    const entry = idx.ledger.get(ledgerKey('volume', volume.id));
    items.push(
      makeDrift({
        kind: 'orphan-volume',
        class: 'orphan',
        subject: { type: 'volume', id: volume.id, name: volume.name },
        contextId: null,
        evidence: [
          fact(
            'cloudstack',
            `volume ${volume.type} ${volume.state}, ${Math.round(volume.sizeBytes / 2 ** 30)} GiB, ${placement(volume, omaVmId)}`,
          ),
          fact('database', 'no ossea_volumes row references it'),
          fact(
            'ledger',
            entry
              ? `${entry.adopted ? 'adopted' : 'recorded'} since ${entry.firstSeenAt} (${entry.reason})`
              : 'not in the ownership ledger',
          ),
          ...(failed.length > 0 ? [fact('ledger', `ownership checks failing: ${failed.join(', ')}`)] : []),
          ...(users.length > 0 ? [fact('devices', `device in use: ${users.join(', ')}`)] : []),
        ],
        actions,
        note: !ledgered
          ? `looks like a migration volume by name only: ${adoptionNote('volume', volume.id)}`
          : (note ??
            (ownership.notLiveFailoverVm
              ? null
              : `attached to VM ${volume.vmName ?? '?'} (${volume.virtualMachineId ?? '?'}), which is neither the OMA nor a known test VM and may be production: not detached; detach it by hand if it is not in use`)),
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "proposes the quarantine with all ownership checks holding…": vol-old "migration-old-old-disk-0"
 * // is in the ledger (ossea_volumes.volume_id of ctx-old), has no ossea_volumes row, sits on the OMA at deviceid 5
 * orphanVolume.diff(world, policy, now)
 * // → [{ id: 'orphan-volume:volume:vol-old', class: 'orphan', actions: [{ action: 'quarantine-volume',
 * //      params: { volumeId: 'vol-old', detachFromVmId: 'oma-vm' }, destructive: true,
 * //      ownership: { inLedger: true, namedLikeOurs: true, noReferencingRow: true, notOmaRootVolume: true, notLiveFailoverVm: true } }] }]
 */
export const orphanVolume: Reconciler = { kind: 'orphan-volume', needs: ['database', 'cloudstack'], diff };
