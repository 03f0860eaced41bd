/**
 * orphan-row — database rows that point at nothing: `nbd_exports` rows whose CloudStack volume is
 * gone (they block a later `CreateExport` on the unique name), legacy `vm_export_mappings` rows no
 * export uses any more (nothing writes that table since Aug 2025, §1.4), and `volume_operations`
 * left `pending`/`executing` by a Volume Daemon restart (incident 20).
 *
 * Desired/actual: rows (database) against CloudStack volumes (complete listing only) and the
 * configured/served exports (complete nbd facts only).
 *
 * Actions: `delete-row` (destructive, grace 10 min) and `fail-volume-operation` (non-destructive,
 * after `staleVolumeOperationSeconds`). An `nbd_exports` row whose export file still exists is left
 * to orphan-nbd-export, which removes file and row together. Safety rails: grace, in-flight, paused,
 * budget, sanity.
 */
import type { DriftItem, Policy } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { World } from '../src/world/world.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { ageSeconds, formatSeconds } from './lib/time.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';

const OPEN_OPERATION_STATES = new Set(['pending', 'executing']);

function nbdRows(world: World, idx: WorldIndex): DriftItem[] {
  if (!world.sources.cloudstack.complete) return [];
  return world.database.nbdExports
    .filter(
      (row) =>
        !idx.csVolumes.has(row.volumeId) && !(world.sources.nbd.complete && idx.configuredExports.has(row.exportName)),
    )
    .map((row) =>
      makeDrift({
        kind: 'orphan-row',
        class: 'orphan',
        subject: { type: 'row', id: `nbd_exports/${row.id}`, name: row.exportName },
        contextId: row.vmContextId,
        evidence: [
          fact('database', `nbd_exports row ${row.id} (${row.status}) for volume ${row.volumeId || '(empty)'}`),
          fact('cloudstack', 'the volume does not exist in a complete listing'),
          fact('nbd', world.sources.nbd.complete ? 'no export section with that name' : 'config files not fully read'),
        ],
        actions: [{ action: 'delete-row', params: { table: 'nbd_exports', id: row.id }, destructive: true }],
      }),
    );
}

function legacyRows(world: World): DriftItem[] {
  if (!world.sources.nbd.complete) return [];
  const names = new Set([...world.nbd.configured.map((e) => e.name), ...(world.nbd.server.liveExports ?? [])]);
  return world.database.vmExportMappings.map((row) => {
    const inUse = names.has(row.exportName);
    return makeDrift({
      kind: 'orphan-row',
      class: 'stale',
      subject: { type: 'row', id: `vm_export_mappings/${row.id}`, name: row.exportName },
      contextId: null,
      evidence: [
        fact(
          'database',
          `legacy vm_export_mappings row ${row.id} (${row.status}) for ${row.vmName ?? '?'}, ${row.devicePath}`,
        ),
        fact('nbd', inUse ? 'its export is still configured or served' : 'no export uses it'),
      ],
      actions: inUse
        ? []
        : [{ action: 'delete-row', params: { table: 'vm_export_mappings', id: row.id }, destructive: true }],
      note: inUse ? 'report only while the legacy export exists' : null,
    });
  });
}

function staleOperations(world: World, policy: Policy, now: Date): DriftItem[] {
  const contextOf = new Map(world.database.osseaVolumes.map((v) => [v.volumeId, v.vmContextId]));
  const out: DriftItem[] = [];
  for (const op of world.database.volumeOperations) {
    const idle = ageSeconds(op.updatedAt, now);
    if (!OPEN_OPERATION_STATES.has(op.status) || idle === null) continue;
    // An operation of ours whose writer's session ended can never finish: failed at once, not after the limit.
    const abandoned = op.writerGone === true;
    if (!abandoned && idle <= policy.staleVolumeOperationSeconds) continue;
    out.push(
      makeDrift({
        kind: 'orphan-row',
        class: 'stale',
        subject: { type: 'row', id: `volume_operations/${op.id}`, name: `${op.type} ${op.volumeId}` },
        contextId: contextOf.get(op.volumeId) ?? null,
        evidence: [
          fact(
            'database',
            abandoned
              ? `volume_operations ${op.id}: ${op.type} of volume ${op.volumeId || '(new)'} ${op.status}, but the oma-reconciler session that runs it has ended (the process died)`
              : `volume_operations ${op.id}: ${op.type} of volume ${op.volumeId || '(new)'} ${op.status}, unchanged for ${formatSeconds(idle)} (limit ${formatSeconds(policy.staleVolumeOperationSeconds)})`,
          ),
        ],
        actions: [{ action: 'fail-volume-operation', params: { id: op.id }, destructive: false }],
      }),
    );
  }
  return out;
}

function diff(world: World, policy: Policy, now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete) return [];
  return sortDrift([...nbdRows(world, idx), ...legacyRows(world), ...staleOperations(world, policy, now)]);
}

/**
 * @example
 * // test "fails a volume operation stuck executing past the threshold": volume_operations op-1 (attach
 * // of vol-web-0) has been `executing` for 2 h (limit 1 h)
 * orphanRow.diff(world, policy, now)
 * // → [{ id: 'orphan-row:row:volume_operations/op-1', class: 'stale', actions: [{ action: 'fail-volume-operation',
 * //      params: { id: 'op-1' }, destructive: false }] }]
 */
export const orphanRow: Reconciler = { kind: 'orphan-row', needs: ['database', 'cloudstack', 'nbd'], diff };
