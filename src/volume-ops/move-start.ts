/**
 * How every writer starts a move: the writer's live re-check (another operation on the volume
 * refuses the move), then a live look-up, and judge from that reading whether the move may go on.
 */
import { findVolume } from '../cloudstack/find-objects.js';
import type { CsVolume } from '../world/world.js';
import { VolumeMoveError, type MoveOutcome, type VolumeWriterDeps } from './volume-writer.js';
import { refuseWhileInFlight } from './in-flight-operation.js';

/** The volume as CloudStack has it now (null: gone), once no other operation (ours, the daemon's, a CloudStack job) works on it. */
export async function liveVolumeToMove(
  deps: VolumeWriterDeps,
  volumeId: string,
  guard: MoveGuard,
): Promise<CsVolume | null> {
  const live = await findVolume(deps.cloudstack, volumeId, deps.signal);
  // A job still pending on the volume is a move under way — another writer's, or one of ours a
  // killed process submitted and never saw end. Sending ours as well would repeat or race it.
  if (live?.pendingJobId !== undefined) {
    throw new VolumeMoveError(
      `CloudStack job ${live.pendingJobId} is still pending on volume ${volumeId} (a move under way): not touched`,
    );
  }
  // The operations re-check comes last, right before the caller's request: the window in which
  // another writer's operation can start unseen is one query long, not a CloudStack round trip.
  await guard.recheck(volumeId);
  return live;
}

/** The live volume to attach to `vmId`; throws (terminal) when it is gone or attached to another VM. */
export async function startAttach(
  deps: VolumeWriterDeps,
  volumeId: string,
  vmId: string,
  guard: MoveGuard,
): Promise<CsVolume> {
  const live = await liveVolumeToMove(deps, volumeId, guard);
  if (!live) throw new VolumeMoveError(`volume ${volumeId} no longer exists in CloudStack`, true);
  if (live.virtualMachineId !== null && live.virtualMachineId !== vmId) {
    throw new VolumeMoveError(
      `volume ${volumeId} is attached to VM ${live.virtualMachineId}, not detached: not moved to ${vmId}`,
      true,
    );
  }
  return live;
}

/** The live volume to delete, or the outcome when it is already gone. */
export type DeleteStart =
  { readonly live: CsVolume; readonly gone?: undefined } | { readonly live?: undefined; readonly gone: MoveOutcome };

/** The live volume to delete; a volume CloudStack no longer has only loses its device mapping ("already gone"). */
export async function startDelete(deps: VolumeWriterDeps, volumeId: string, guard: MoveGuard): Promise<DeleteStart> {
  const live = await liveVolumeToMove(deps, volumeId, guard);
  if (live) return { live };
  await deps.db.deleteFrom('device_mappings').where('volume_uuid', '=', volumeId).execute();
  return {
    gone: { changed: false, message: `volume ${volumeId} is already gone`, nbdChanged: false, operationId: null },
  };
}

/**
 * One writer's live re-check: a volume is held while another writer's operation on it runs or
 * settles; the operations this writer started itself (a workflow's detach before its attach) never hold it.
 */
export class MoveGuard {
  readonly own = new Set<string>();

  constructor(
    private readonly deps: VolumeWriterDeps,
    /** A `pending`/`executing` operation older than this is stale and no longer holds the volume. */
    private readonly operationStaleMs: number,
  ) {}

  async recheck(volumeId: string): Promise<void> {
    const limits = { staleAfterMs: this.operationStaleMs, settleMs: this.deps.operationSettleMs ?? 0, own: this.own };
    // Wall-clock time before the read: every operation another writer had started by then was seen.
    // Logged so an operation that started after it (the daemon has no per-volume lock) can be told
    // from one we should have seen.
    const checkedAtMs = Date.now();
    await refuseWhileInFlight(this.deps.db, volumeId, limits, this.deps.clock());
    this.deps.logger.debug({ volumeId, checkedAtMs }, 'volume free at the live re-check');
  }
}
