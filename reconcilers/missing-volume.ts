/**
 * missing-volume — an `ossea_volumes` row references a CloudStack volume that CloudStack does not
 * have (deleted by hand, by a script such as `cleanup_failed_job.sh`, or by another tool).
 *
 * Desired: `ossea_volumes` (database). Actual: the CloudStack volume listing, which must be complete:
 * a volume missing from a partial listing proves nothing, so nothing is reported then.
 *
 * Actions: none — report only. The row records where the replicated data lived; it is removed only
 * through a cleanup request of its job, so nobody loses that record by accident.
 */
import type { DriftItem, Policy } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { World } from '../src/world/world.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';

function diff(world: World, _policy: Policy, _now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete || !world.sources.cloudstack.complete) return [];
  const exported = new Set(world.database.nbdExports.map((e) => e.volumeId));
  const items: DriftItem[] = [];
  for (const row of world.database.osseaVolumes) {
    if (idx.csVolumes.has(row.volumeId)) continue;
    const ctx = idx.contexts.get(row.vmContextId);
    const snapshot = row.snapshotId ? `, snapshot ${row.snapshotId} (${row.snapshotStatus ?? 'unknown'})` : '';
    const others = [
      idx.deviceMappings.has(row.volumeId) ? 'a device_mappings row' : null,
      exported.has(row.volumeId) ? 'an nbd_exports row' : null,
    ].filter((x) => x !== null);
    items.push(
      makeDrift({
        kind: 'missing-volume',
        class: 'missing',
        subject: { type: 'volume', id: row.volumeId, name: row.volumeName },
        contextId: row.vmContextId,
        evidence: [
          fact(
            'database',
            `ossea_volumes row ${row.id} of ${ctx ? `${ctx.vmName} (${row.vmContextId}, ${ctx.currentStatus})` : row.vmContextId}: ` +
              `status ${row.status}, device path ${row.devicePath ?? 'none'}${snapshot}`,
          ),
          ...(others.length > 0 ? [fact('database', `also referenced by ${others.join(' and ')}`)] : []),
          fact('cloudstack', `no volume ${row.volumeId} in a complete listing`),
        ],
        actions: [],
        note:
          `report only: the data of ${row.volumeName ?? row.volumeId} was on CloudStack volume ${row.volumeId}; ` +
          `the row is removed only by a cleanup request for the VM's replication job (oma-reconciler cleanup request JOB_ID)`,
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "records where the data was…": ctx-web's ossea_volumes row references vol-web-1, which a
 * // complete CloudStack listing no longer has
 * missingVolume.diff(world, policy, now)
 * // → [{ id: 'missing-volume:volume:vol-web-1', class: 'missing', contextId: 'ctx-web', actions: [],
 * //      note: 'report only: the data of migration-web-web-disk-1 was on CloudStack volume vol-web-1; the row is removed only by a cleanup request …' }]
 */
export const missingVolume: Reconciler = { kind: 'missing-volume', needs: ['database', 'cloudstack'], diff };
