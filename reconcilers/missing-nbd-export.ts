/**
 * missing-nbd-export — a volume of a `ready_for_failover`/`replicating` context is attached to the
 * OMA but is not exported (or exported with the wrong path, or denied), so the next replication fails
 * with "Export unknown" (incidents 3, 11, 12). Also repairs the "file present, row missing" state that
 * makes every later `CreateExport` of the Volume Daemon fail (§3.6).
 *
 * Desired: §8.3 — `migration-vol-<uuid>` with `exportname` = the by-id path, for every such volume
 * (database + cloudstack, OMA VM confirmed). Actual: the configured export sections (nbd, complete —
 * an unparsed file may hold the export) and `nbd_exports` rows.
 *
 * Actions: `add-nbd-export` (non-destructive; writes or rewrites the section, and inserts the row when
 * `rowId` is null) with the path of the OBSERVED by-id link. Without device facts, or when the link
 * is absent or ambiguous, the export is reported only: a path from configuration alone is a guess
 * (issue 15: a wrong DEVICE_BY_ID_DIR must not rewrite exports). Safety rails: in-flight (the
 * replication workflow creates exports itself), paused.
 */
import type { DriftItem, Policy } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { World } from '../src/world/world.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { desiredExports, type DesiredExport } from './lib/nbd-desired.js';
import { resolveOmaVm } from './lib/oma-vm.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';

/** What is wrong with a desired export, or null when it is fine. */
function problem(idx: WorldIndex, d: DesiredExport): { cls: 'missing' | 'mismatch'; text: string } | null {
  const configured = idx.configuredExports.get(d.exportName);
  if (!configured) return { cls: 'missing', text: 'no export section in any config file' };
  if (configured.exportname !== d.devicePath) {
    return {
      cls: 'mismatch',
      text: `configured in ${configured.file} with exportname ${configured.exportname ?? '(none)'} instead of ${d.devicePath}`,
    };
  }
  if (configured.denied) {
    return { cls: 'mismatch', text: `configured in ${configured.file} but denied by its authfile` };
  }
  if (!idx.nbdRowsByName.has(d.exportName)) {
    return { cls: 'missing', text: `configured in ${configured.file} but no nbd_exports row` };
  }
  return null;
}

/**
 * Why the export cannot be written yet (device facts), or null. The path an export serves comes
 * from an observed by-id link, never from the naming rule alone: without device facts, nothing.
 */
function deviceBlocker(idx: WorldIndex, volumeId: string): string | null {
  if (idx.ambiguousVolumes.has(volumeId)) {
    return 'its by-id link prefix is shared with another volume (ambiguous); not guessed';
  }
  if (!idx.world.sources.devices.complete) {
    return 'device facts unavailable: the export path is not written from configuration alone';
  }
  if (!idx.linksByVolume.has(volumeId)) return 'no by-id link for the volume on the OMA yet';
  return null;
}

function diff(world: World, policy: Policy, _now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete || !world.sources.nbd.complete) return [];
  const oma = resolveOmaVm(idx, policy);
  const items: DriftItem[] = [];
  for (const rule of desiredExports(idx, policy, oma).values()) {
    // The observed link's path when there is one (evidence), the naming rule's only for reporting.
    const observed = idx.linksByVolume.get(rule.volume.id)?.path;
    const d: DesiredExport = observed !== undefined ? { ...rule, devicePath: observed } : rule;
    const p = problem(idx, d);
    if (p === null) continue;
    const row = idx.nbdRowsByName.get(d.exportName);
    const blocker = deviceBlocker(idx, d.volume.id);
    items.push(
      makeDrift({
        kind: 'missing-nbd-export',
        class: p.cls,
        subject: { type: 'nbd-export', id: d.exportName, name: d.devicePath },
        contextId: d.context.contextId,
        evidence: [
          fact(
            'database',
            `volume of ${d.context.vmName} (${d.context.currentStatus}); ${row ? `nbd_exports row ${row.id} (${row.status})` : 'no nbd_exports row'}`,
          ),
          fact('cloudstack', `volume ${d.volume.id} attached to the OMA VM (deviceid ${d.volume.deviceId ?? '?'})`),
          fact('nbd', p.text),
          ...(blocker ? [fact('devices', blocker)] : []),
        ],
        actions: blocker
          ? []
          : [
              {
                action: 'add-nbd-export',
                params: {
                  exportName: d.exportName,
                  devicePath: d.devicePath,
                  volumeId: d.volume.id,
                  contextId: d.context.contextId,
                  rowId: row?.id ?? null,
                },
                destructive: false,
              },
            ],
        note: blocker ? `report only: ${blocker}` : null,
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "asks for the by-id path and the row…": ctx-web is ready_for_failover, vol-web-0 is on the
 * // OMA, and both its conf.d section and its nbd_exports row are gone
 * missingNbdExport.diff(world, policy, now)
 * // → [{ id: 'missing-nbd-export:nbd-export:migration-vol-vol-web-0', class: 'missing', actions: [{
 * //      action: 'add-nbd-export', params: { exportName: 'migration-vol-vol-web-0', devicePath: '/dev/disk/by-id/virtio-volweb0',
 * //      volumeId: 'vol-web-0', contextId: 'ctx-web', rowId: null }, destructive: false }] }]
 */
export const missingNbdExport: Reconciler = {
  kind: 'missing-nbd-export',
  needs: ['database', 'cloudstack', 'nbd', 'devices'],
  diff,
};
