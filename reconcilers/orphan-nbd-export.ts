/**
 * orphan-nbd-export — a configured `migration-vol-<uuid>` export that serves nothing useful: its
 * volume is no longer attached to the OMA (failover, detach without mapping — incident 11), the volume
 * is gone, or the export has no `nbd_exports` row and its volume is not one of ours on the OMA. Such
 * files make the next `CreateExport` for that volume fail ("already exists", §3.6).
 *
 * Desired: `nbd_exports` rows whose volume CloudStack shows attached to the OMA (database, cloudstack).
 * Actual: the export sections in the nbd-server config files (nbd).
 *
 * Actions: `remove-nbd-export` (file and row; reversible from the backup; the NBD manager denies new
 * connections at once and drops it from memory at the next idle restart). Never `dummy`, `generic` or
 * `backup-*`; legacy `migration-vm-*`/`migration-<job>` exports are reported only (incident 4).
 * Safety rails: grace (default 5 min), in-flight, paused, budget, sanity. A volume absent from a
 * partial CloudStack listing proves nothing, and without a confirmed OMA VM only the "no row" rule
 * applies. A detached volume that volume-attachment will put back on the OMA keeps its export.
 */
import type { DriftItem, Evidence, Policy } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { NbdConfiguredExport, World } from '../src/world/world.js';
import { ON_OMA_STATES } from './lib/context-states.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { isLegacyExportName, isProtectedExportName, volumeIdFromExportName } from './lib/names.js';
import { desiredExports } from './lib/nbd-desired.js';
import { resolveOmaVm, type OmaVm } from './lib/oma-vm.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';

function configuredFact(e: NbdConfiguredExport, live: boolean | null): Evidence {
  const served = live === null ? 'server list unknown' : live ? 'served' : 'not served';
  return fact(
    'nbd',
    `configured in ${e.file}, exportname ${e.exportname ?? '(none)'}${e.managed ? ', reconciler-managed' : ''}${e.denied ? ', denied by its authfile' : ''}; ${served}`,
  );
}

/** True when volume-attachment will bring the volume back to the OMA (its context wants it there). */
function awaitsReattach(idx: WorldIndex, volumeId: string): boolean {
  const row = idx.osseaVolumes.get(volumeId);
  const ctx = row ? idx.contexts.get(row.vmContextId) : undefined;
  return ctx !== undefined && ON_OMA_STATES.includes(ctx.currentStatus);
}

/** Why the export is orphaned, or null when it is wanted or nothing can be established. */
function orphanReason(idx: WorldIndex, oma: OmaVm, volumeId: string, hasRow: boolean, ours: boolean): string | null {
  const volume = idx.csVolumes.get(volumeId);
  if (oma.verified && volume) {
    // A detached volume of a context that wants it on the OMA is reattached by volume-attachment;
    // its export (by-id path) is valid again then, so removing it would only churn nbd-server.
    if (volume.virtualMachineId === null) {
      return hasRow && awaitsReattach(idx, volumeId) ? null : 'its volume is attached to no VM';
    }
    if (volume.virtualMachineId !== oma.id) {
      return `its volume is attached to VM ${volume.vmName ?? '?'} (${volume.virtualMachineId}), not the OMA`;
    }
  }
  if (!volume && idx.world.sources.cloudstack.complete) return 'its volume no longer exists in CloudStack';
  if (!hasRow && !ours) return 'no nbd_exports row and the volume is not one of ours on the OMA';
  return null;
}

function diff(world: World, policy: Policy, _now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete) return [];
  const oma = resolveOmaVm(idx, policy);
  const ours = desiredExports(idx, policy, oma, null);
  const live = world.nbd.server.liveExports === null ? null : new Set(world.nbd.server.liveExports);
  const pendingRemoval = new Set(world.nbd.pending.filter((p) => p.change === 'remove').map((p) => p.exportName));
  const items: DriftItem[] = [];
  for (const e of world.nbd.configured) {
    if (isProtectedExportName(e.name) || pendingRemoval.has(e.name)) continue;
    const isLive = live === null ? null : live.has(e.name);
    if (isLegacyExportName(e.name)) {
      items.push(
        makeDrift({
          kind: 'orphan-nbd-export',
          class: 'orphan',
          subject: { type: 'nbd-export', id: e.name, name: e.exportname },
          contextId: null,
          evidence: [configuredFact(e, isLive)],
          actions: [],
          note: 'legacy export name (incident 4): reported only; the appliance uses migration-vol-<volume id> now — remove it by hand once unused',
        }),
      );
      continue;
    }
    const volumeId = volumeIdFromExportName(e.name);
    if (volumeId === null) continue;
    const row = idx.nbdRowsByName.get(e.name);
    // Without a confirmed OMA VM, any volume with an ossea_volumes row may be on the OMA: keep its export.
    const maybeOurs = ours.has(e.name) || (!oma.verified && idx.osseaVolumes.has(volumeId));
    const reason = orphanReason(idx, oma, volumeId, row !== undefined, maybeOurs);
    if (reason === null) continue;
    items.push(
      makeDrift({
        kind: 'orphan-nbd-export',
        class: 'orphan',
        subject: { type: 'nbd-export', id: e.name, name: e.exportname },
        contextId: row?.vmContextId ?? idx.osseaVolumes.get(volumeId)?.vmContextId ?? null,
        evidence: [
          configuredFact(e, isLive),
          fact(
            'database',
            row ? `nbd_exports row ${row.id} (${row.status}) of ${row.vmContextId}` : 'no nbd_exports row',
          ),
          fact('cloudstack', reason),
        ],
        actions: [
          {
            action: 'remove-nbd-export',
            params: { exportName: e.name, file: e.file, rowId: row?.id ?? null },
            destructive: true,
          },
        ],
        note: oma.verified ? null : `${oma.problem ?? 'OMA VM unconfirmed'}: only the missing-row rule was applied`,
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "removes file and row together…": ctx-web is failed_over_test and vol-web-0 sits on test VM
 * // tvm-1, but migration-vol-vol-web-0 is still configured with its nbd_exports row
 * orphanNbdExport.diff(world, policy, now)
 * // → [{ id: 'orphan-nbd-export:nbd-export:migration-vol-vol-web-0', contextId: 'ctx-web', actions: [{
 * //      action: 'remove-nbd-export', params: { exportName: 'migration-vol-vol-web-0',
 * //      file: '/etc/nbd-server/conf.d/migration-vol-vol-web-0.conf', rowId: 'nbd-vol-web-0' }, destructive: true }] }]
 */
export const orphanNbdExport: Reconciler = {
  kind: 'orphan-nbd-export',
  needs: ['database', 'cloudstack', 'nbd'],
  diff,
};
