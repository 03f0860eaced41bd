/**
 * device-mapping — `device_mappings` (the Volume Daemon's view of attachments) disagrees with
 * CloudStack: stale rows for detached or deleted volumes make the next attach fail on the unique key
 * (incident 10); volumes attached to the OMA without a row get no export; rows left in `failover`
 * mode after a failed failover hide volumes from the daemon (§4.1).
 *
 * Desired: CloudStack attachments (truth, incident 9: reconcile from CloudStack, not from the table),
 * the OMA VM id (confirmed), the OBSERVED by-id link of the volume (never the naming rule alone).
 * Actual: `device_mappings` rows.
 *
 * Actions: stale row → `delete-device-mapping` (destructive, grace 2 min); an `ossea_volumes` volume
 * attached to the OMA with no row → `create-device-mapping` (mode `oma`, by-id path); wrong vm_id,
 * mode or OMA path → `update-device-mapping`. Rows for non-OMA VMs are never created (their shared
 * `remote-vm-<id>` path collides, incident 9) and an update that would collide is reported only.
 * Safety rails: in-flight (failover flips modes in bulk), paused, budget, sanity.
 */
import type { DriftItem, Policy, ProposedAction } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { CsVolume, DeviceMappingRow, World } from '../src/world/world.js';
import { byIdPath } from '../src/world/by-id.js';
import { fact, makeDrift, sortDrift, type DriftInput } from './lib/drift.js';
import { resolveOmaVm } from './lib/oma-vm.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';

/** The row CloudStack's attachment calls for; an OMA row's path is null when no by-id link was observed. */
type Expected = Pick<DeviceMappingRow, 'vmId' | 'operationMode'> & { readonly devicePath: string | null };

/**
 * The row CloudStack's attachment calls for. An OMA path is the OBSERVED by-id link's path — never
 * the naming rule applied to configuration alone (issue 15: a wrong DEVICE_BY_ID_DIR rewrote every
 * row to a directory that held nothing).
 */
function expectedRow(idx: WorldIndex, volume: CsVolume & { virtualMachineId: string }, omaVmId: string): Expected {
  if (volume.virtualMachineId === omaVmId) {
    return { vmId: omaVmId, operationMode: 'oma', devicePath: idx.linksByVolume.get(volume.id)?.path ?? null };
  }
  const root = volume.deviceId === 0 ? 'root-' : '';
  return {
    vmId: volume.virtualMachineId,
    operationMode: 'failover',
    devicePath: `remote-vm-${root}${volume.virtualMachineId}`,
  };
}

/** Why no by-id link can give an OMA row its path. */
function noLinkReason(idx: WorldIndex, volumeId: string): string {
  if (!idx.world.sources.devices.complete) return 'device facts unavailable';
  if (idx.ambiguousVolumes.has(volumeId)) return 'its by-id link prefix is shared with another volume (ambiguous)';
  return 'no by-id link observed for the volume';
}

function rowText(r: DeviceMappingRow): string {
  return `device_mappings row ${r.id}: vm ${r.vmId}, mode ${r.operationMode}, path ${r.devicePath}`;
}

function judgeRow(
  idx: WorldIndex,
  byPath: ReadonlyMap<string, DeviceMappingRow>,
  row: DeviceMappingRow,
  omaVmId: string,
): Omit<DriftInput, 'kind' | 'subject'> | null {
  const volume = idx.csVolumes.get(row.volumeUuid);
  const contextId = row.vmContextId ?? idx.osseaVolumes.get(row.volumeUuid)?.vmContextId ?? null;
  const del: ProposedAction = {
    action: 'delete-device-mapping',
    params: { id: row.id, volumeUuid: row.volumeUuid },
    destructive: true,
  };
  if (!volume) {
    if (!idx.world.sources.cloudstack.complete) return null;
    return {
      class: 'stale',
      contextId,
      evidence: [fact('database', rowText(row)), fact('cloudstack', 'volume does not exist')],
      actions: [del],
    };
  }
  if (volume.virtualMachineId === null) {
    return {
      class: 'stale',
      contextId,
      evidence: [fact('database', rowText(row)), fact('cloudstack', `volume ${volume.state}, attached to no VM`)],
      actions: [del],
    };
  }
  const want = expectedRow(idx, { ...volume, virtualMachineId: volume.virtualMachineId }, omaVmId);
  const pathDiffers = want.operationMode === 'oma' && want.devicePath !== null && want.devicePath !== row.devicePath;
  const differs = want.vmId !== row.vmId || want.operationMode !== row.operationMode || pathDiffers;
  if (!differs) return null;
  const evidence = [
    fact('database', rowText(row)),
    fact(
      'cloudstack',
      `volume attached to ${volume.virtualMachineId === omaVmId ? 'the OMA VM' : `VM ${volume.vmName ?? '?'}`} (${volume.virtualMachineId}, deviceid ${volume.deviceId ?? '?'})`,
    ),
  ];
  if (want.devicePath === null) {
    // The row must move to the OMA but no observed link says where: report, never guess.
    const reason = noLinkReason(idx, row.volumeUuid);
    return {
      class: 'mismatch',
      contextId,
      evidence: [...evidence, fact('devices', reason)],
      actions: [],
      note: `report only: ${reason}; the path is not written from configuration alone`,
    };
  }
  // Non-OMA rows keep their own path unless the VM changed; the placeholder path is shared (incident 9).
  const devicePath = want.operationMode === 'oma' || want.vmId !== row.vmId ? want.devicePath : row.devicePath;
  const holder = byPath.get(devicePath);
  const collision = holder && holder.id !== row.id ? holder : undefined;
  if (want.operationMode === 'oma') evidence.push(fact('devices', `by-id link ${devicePath}`));
  return {
    class: 'mismatch',
    contextId,
    evidence,
    actions: collision
      ? []
      : [
          {
            action: 'update-device-mapping',
            params: {
              id: row.id,
              volumeUuid: row.volumeUuid,
              vmId: want.vmId,
              devicePath,
              operationMode: want.operationMode,
            },
            destructive: false,
          },
        ],
    note: collision
      ? `report only: path ${devicePath} is already used by row ${collision.id} (device_path is unique, incident 9)`
      : null,
  };
}

function diff(world: World, policy: Policy, _now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete) return [];
  const oma = resolveOmaVm(idx, policy);
  if (!oma.verified || oma.id === null) return [];
  const omaVmId = oma.id;
  // device_path is globally unique in the appliance's schema: an update must not collide.
  const byPath = new Map(world.database.deviceMappings.map((m) => [m.devicePath, m]));
  const items: DriftItem[] = [];
  for (const row of world.database.deviceMappings) {
    const judged = judgeRow(idx, byPath, row, omaVmId);
    if (judged) {
      items.push(
        makeDrift({
          ...judged,
          kind: 'device-mapping',
          subject: { type: 'device-mapping', id: row.volumeUuid, name: row.devicePath },
        }),
      );
    }
  }
  for (const ov of world.database.osseaVolumes) {
    const volume = idx.csVolumes.get(ov.volumeId);
    if (volume?.virtualMachineId !== omaVmId || idx.deviceMappings.has(ov.volumeId)) continue;
    const link = idx.linksByVolume.get(ov.volumeId);
    const devicePath = link?.path ?? byIdPath(ov.volumeId, policy.deviceByIdDir);
    const reason = link ? null : noLinkReason(idx, ov.volumeId);
    items.push(
      makeDrift({
        kind: 'device-mapping',
        class: 'missing',
        subject: { type: 'device-mapping', id: ov.volumeId, name: devicePath },
        contextId: ov.vmContextId,
        evidence: [
          fact('database', `ossea_volumes row ${ov.id} of ${ov.vmContextId}; no device_mappings row`),
          fact('cloudstack', `volume attached to the OMA VM (deviceid ${volume.deviceId ?? '?'})`),
          fact('devices', link ? `by-id link ${link.path} → ${link.target ?? '?'}` : (reason ?? '')),
        ],
        // The row's path is the observed link's; without one the row is reported, not invented.
        actions: link
          ? [
              {
                action: 'create-device-mapping',
                params: {
                  volumeUuid: ov.volumeId,
                  vmId: omaVmId,
                  contextId: ov.vmContextId,
                  devicePath,
                  operationMode: 'oma',
                },
                destructive: false,
              },
            ]
          : [],
        note: link ? null : `report only: ${reason ?? ''}; the path is not written from configuration alone`,
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "creates an oma-mode row with the by-id path…": vol-web-0 (ctx-web) is attached to the OMA
 * // but has no device_mappings row
 * deviceMapping.diff(world, policy, now)
 * // → [{ id: 'device-mapping:device-mapping:vol-web-0', class: 'missing', actions: [{ action: 'create-device-mapping',
 * //      params: { volumeUuid: 'vol-web-0', vmId: 'oma-vm', contextId: 'ctx-web', devicePath: '/dev/disk/by-id/virtio-volweb0',
 * //      operationMode: 'oma' }, destructive: false }] }]
 */
export const deviceMapping: Reconciler = { kind: 'device-mapping', needs: ['database', 'cloudstack', 'devices'], diff };
