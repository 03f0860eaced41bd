/**
 * orphan-snapshot — a failover protection snapshot (`multi-test-failover-*`, legacy
 * `test-failover-*`) of one of our volumes that nothing references: a failed failover or rollback
 * left it behind, and CloudStack never removes it (incidents 7, 17).
 *
 * Desired: `ossea_volumes.snapshot_id` and `failover_jobs.ossea_snapshot_id` (database). Actual:
 * CloudStack snapshots. "Our volume" = a volume with an `ossea_volumes` row or in the ledger.
 *
 * Actions: `delete-snapshot` (destructive). Safety rails: nothing while the volume's context has a
 * failover in flight (a new snapshot is referenced only after it is created), grace (default 30 min),
 * ownership (blocked for a context failed over live: that snapshot may be the only rollback point),
 * budget, sanity. Snapshots still being created or already being destroyed are skipped.
 */
import type { DriftItem, OwnershipChecks, Policy } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { CsSnapshot, World } from '../src/world/world.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { findInFlight } from './lib/in-flight.js';
import { isFailoverSnapshotName } from './lib/names.js';
import { failedChecks, inLedger, mayBeProductionVm } from './lib/ownership.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';
import { isSnapshotTransient } from '../src/world/cloudstack-states.js';

function ownershipOf(
  idx: WorldIndex,
  snap: CsSnapshot,
  contextStatus: string | null,
  omaVmId: string | null,
): OwnershipChecks {
  const volume = idx.csVolumes.get(snap.volumeId);
  return {
    inLedger: inLedger(idx, 'snapshot', snap.id) || inLedger(idx, 'volume', snap.volumeId),
    namedLikeOurs: isFailoverSnapshotName(snap.name),
    noReferencingRow: !idx.referencedSnapshots.has(snap.id),
    notOmaRootVolume: !(volume?.type === 'ROOT' && volume.virtualMachineId === omaVmId),
    notLiveFailoverVm:
      contextStatus !== 'failed_over_live' && !mayBeProductionVm(idx, volume?.virtualMachineId ?? null, omaVmId),
  };
}

function diff(world: World, policy: Policy, now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete) return [];
  const inFlight = findInFlight(idx, policy, now);
  const omaVmId = policy.omaVmId ?? world.omaVmId;
  const items: DriftItem[] = [];
  for (const snap of world.cloudstack.snapshots) {
    if (!isFailoverSnapshotName(snap.name) || isSnapshotTransient(snap.state) || idx.referencedSnapshots.has(snap.id)) {
      continue;
    }
    const row = idx.osseaVolumes.get(snap.volumeId);
    if (!row && !inLedger(idx, 'volume', snap.volumeId)) continue;
    const contextId = row?.vmContextId ?? null;
    if (contextId !== null && inFlight.failover.has(contextId)) continue;
    const ctx = contextId === null ? undefined : idx.contexts.get(contextId);
    const ownership = ownershipOf(idx, snap, ctx?.currentStatus ?? null, omaVmId);
    const failed = failedChecks(ownership);
    // The volume itself is an orphan on its quarantine lifecycle (undoable for quarantineTtlSeconds):
    // its snapshot may be the only way to restore it, so it goes only once the volume is gone.
    const volumeOrphaned = !row && idx.csVolumes.has(snap.volumeId);
    items.push(
      makeDrift({
        kind: 'orphan-snapshot',
        class: 'orphan',
        subject: { type: 'snapshot', id: snap.id, name: snap.name },
        contextId,
        evidence: [
          fact('cloudstack', `snapshot ${snap.state} of volume ${snap.volumeId}, created ${snap.created ?? 'unknown'}`),
          fact(
            'database',
            row
              ? `volume belongs to ${ctx ? `${ctx.vmName} (${ctx.currentStatus})` : row.vmContextId}; no ossea_volumes.snapshot_id or failover_jobs.ossea_snapshot_id references the snapshot`
              : 'volume has no ossea_volumes row any more; nothing references the snapshot',
          ),
          ...(failed.length > 0 ? [fact('ledger', `ownership checks failing: ${failed.join(', ')}`)] : []),
        ],
        actions: volumeOrphaned
          ? []
          : [
              {
                action: 'delete-snapshot',
                params: { snapshotId: snap.id, volumeId: snap.volumeId },
                destructive: true,
                ownership,
              },
            ],
        note: !ownership.notLiveFailoverVm
          ? 'its volume belongs to a live failover (or to a VM that may be production): this snapshot may be its only rollback point; delete it by hand once the live VM is accepted'
          : volumeOrphaned
            ? 'report only while its volume (an orphan) still exists: the volume can be restored from quarantine with this snapshot; it is deleted once the volume is gone'
            : null,
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "carries the snapshot and volume ids…": snap-1 "multi-test-failover-disk-2000-1772400000" of
 * // vol-web-0 (ctx-web, ready_for_failover), referenced by no row, no failover in flight
 * orphanSnapshot.diff(world, policy, now)
 * // → [{ id: 'orphan-snapshot:snapshot:snap-1', contextId: 'ctx-web', actions: [{ action: 'delete-snapshot',
 * //      params: { snapshotId: 'snap-1', volumeId: 'vol-web-0' }, destructive: true, ownership: { …all five true } }] }]
 */
export const orphanSnapshot: Reconciler = { kind: 'orphan-snapshot', needs: ['database', 'cloudstack'], diff };
