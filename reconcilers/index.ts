/**
 * The ordered registry of the thirteen reconcilers, one per drift kind, in the order of
 * `DRIFT_KINDS` (the order their drift appears in plans and their actions meet the budget).
 */
import type { DriftItem, Policy } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { DriftKind, SourceName } from '../src/world/drift-kinds.js';
import type { World } from '../src/world/world.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';
import { cleanupRequest } from './cleanup-request.js';
import { deviceMapping } from './device-mapping.js';
import { leftoverTestVm } from './leftover-test-vm.js';
import { liveExportMismatch } from './live-export-mismatch.js';
import { missingNbdExport } from './missing-nbd-export.js';
import { missingVolume } from './missing-volume.js';
import { orphanNbdExport } from './orphan-nbd-export.js';
import { orphanRow } from './orphan-row.js';
import { orphanSnapshot } from './orphan-snapshot.js';
import { orphanVolume } from './orphan-volume.js';
import { stuckFailoverJob } from './stuck-failover-job.js';
import { stuckReplicationJob } from './stuck-replication-job.js';
import { volumeAttachment } from './volume-attachment.js';

/** Every reconciler, in `DRIFT_KINDS` order. */
export const reconcilers: readonly Reconciler[] = [
  orphanVolume,
  missingVolume,
  orphanSnapshot,
  volumeAttachment,
  orphanNbdExport,
  missingNbdExport,
  liveExportMismatch,
  deviceMapping,
  orphanRow,
  stuckReplicationJob,
  stuckFailoverJob,
  leftoverTestVm,
  cleanupRequest,
];

/** The sources each kind needs (the incomplete-source gate's input). */
export function needsByKind(
  list: readonly Reconciler[] = reconcilers,
): Readonly<Record<DriftKind, readonly SourceName[]>> {
  return Object.fromEntries(list.map((r) => [r.kind, r.needs])) as Record<DriftKind, readonly SourceName[]>;
}

/**
 * Runs the reconcilers (all, or those of `only`) against one world and concatenates their drift in
 * registry order. The world's lookup tables are built once (or taken from the caller, who hands the
 * same tables to the gates) and passed to every reconciler. Pure: the same world, policy and `now`
 * give the same items.
 */
export function diffAll(
  world: World,
  policy: Policy,
  now: Date,
  only?: readonly DriftKind[],
  index: WorldIndex = indexWorld(world),
): DriftItem[] {
  return reconcilers.filter((r) => !only || only.includes(r.kind)).flatMap((r) => r.diff(world, policy, now, index));
}
