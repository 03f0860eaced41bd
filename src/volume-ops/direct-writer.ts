/**
 * Moves volumes without the Volume Daemon (mode `off`, or `auto` with no daemon answering): the
 * CloudStack call plus exactly the daemon's bookkeeping and a `volume_operations` row of ours.
 */
import { waitForLink } from '../devices/wait-for-link.js';
import { coerceError } from '../errors.js';
import { findVolume } from '../cloudstack/find-objects.js';
import {
  ensureExport,
  hasExport,
  omaDevicePath,
  recordAttached,
  recordDetached,
  remoteDevicePath,
  removeExportOf,
} from './bookkeeping.js';
import { liveVolumeToMove, MoveGuard, startAttach, startDelete } from './move-start.js';
import { finishOwnOperation, startOwnOperation, type OperationType } from './own-operation.js';
import { type AttachOptions, type MoveOutcome, type VolumeWriter, type VolumeWriterDeps } from './volume-writer.js';
import { vmLabel } from './bookkeeping.js';

/** The direct path; see the module comment. */
export class DirectVolumeWriter implements VolumeWriter {
  readonly path = 'direct' as const;
  readonly #guard: MoveGuard;

  constructor(
    private readonly deps: VolumeWriterDeps,
    /** A `pending`/`executing` operation older than this is stale and no longer holds the volume. */
    operationStaleMs: number,
  ) {
    this.#guard = new MoveGuard(deps, operationStaleMs);
  }

  async attach(volumeId: string, vmId: string, options: AttachOptions = {}): Promise<MoveOutcome> {
    const { deps } = this;
    const live = await startAttach(deps, volumeId, vmId, this.#guard);
    const root = options.root === true;
    if (live.virtualMachineId === vmId) {
      const { nbdChanged, note } = await this.#recordAttach(volumeId, vmId, root, live.sizeBytes, 0);
      return {
        changed: false,
        message: `volume ${volumeId} is already attached to ${vmLabel(this.deps, vmId)}${note}`,
        nbdChanged,
        operationId: null,
      };
    }
    const request = root ? { vm_id: vmId, device_id: 0, attach_as: 'root' } : { vm_id: vmId };
    return this.#run('attach', volumeId, vmId, request, async () => {
      try {
        await deps.cloudstack.attachVolume(
          { id: volumeId, virtualMachineId: vmId, ...(root ? { deviceId: 0 } : {}) },
          { signal: deps.signal },
        );
      } catch (e) {
        // CloudStack may have done it anyway (a lost answer): judge from the volume itself.
        if ((await findVolume(deps.cloudstack, volumeId, deps.signal))?.virtualMachineId !== vmId) throw e;
      }
      const { nbdChanged, note } = await this.#recordAttach(volumeId, vmId, root, live.sizeBytes);
      return {
        nbdChanged,
        message: `attached volume ${volumeId} to ${vmLabel(this.deps, vmId)}${note}`,
        response: { volume_id: volumeId, vm_id: vmId },
      };
    });
  }

  async detach(volumeId: string): Promise<MoveOutcome> {
    const { deps } = this;
    const live = await liveVolumeToMove(deps, volumeId, this.#guard);
    const from = live?.virtualMachineId ?? null;
    if (from === null) {
      const nbdChanged = await this.#recordDetach(volumeId);
      return {
        changed: false,
        message: `volume ${volumeId} is ${live ? 'already detached' : 'gone'}`,
        nbdChanged,
        operationId: null,
        detachedFrom: null,
      };
    }
    const outcome = await this.#run('detach', volumeId, from, {}, async () => {
      try {
        await deps.cloudstack.detachVolume({ id: volumeId }, { signal: deps.signal });
      } catch (e) {
        if ((await findVolume(deps.cloudstack, volumeId, deps.signal))?.virtualMachineId != null) throw e;
      }
      const nbdChanged = await this.#recordDetach(volumeId);
      return {
        nbdChanged,
        message: `detached volume ${volumeId} from ${vmLabel(this.deps, from)}`,
        response: { volume_id: volumeId },
      };
    });
    return { ...outcome, detachedFrom: from };
  }

  async delete(volumeId: string): Promise<MoveOutcome> {
    const { deps } = this;
    const { live, gone } = await startDelete(deps, volumeId, this.#guard);
    if (gone) return gone;
    const detached = live.virtualMachineId !== null ? await this.detach(volumeId) : null;
    const outcome = await this.#run('delete', volumeId, null, {}, async () => {
      try {
        await deps.cloudstack.deleteVolume(volumeId, { signal: deps.signal });
      } catch (e) {
        if (await findVolume(deps.cloudstack, volumeId, deps.signal)) throw e;
      }
      await deps.db.deleteFrom('device_mappings').where('volume_uuid', '=', volumeId).execute();
      return {
        nbdChanged: false,
        message: `deleted volume ${volumeId} (${live.name})`,
        response: { volume_id: volumeId },
      };
    });
    return detached
      ? {
          ...outcome,
          nbdChanged: outcome.nbdChanged || detached.nbdChanged,
          message: `${detached.message}; ${outcome.message}`,
          detachedFrom: detached.detachedFrom ?? null,
        }
      : outcome;
  }

  /** One operation of ours, recorded around the work. */
  async #run(
    type: OperationType,
    volumeId: string,
    vmId: string | null,
    request: Readonly<Record<string, unknown>>,
    work: () => Promise<{
      readonly nbdChanged: boolean;
      readonly message: string;
      readonly response: Readonly<Record<string, unknown>>;
    }>,
  ): Promise<MoveOutcome> {
    const { db, clock } = this.deps;
    const id = await startOwnOperation(db, { type, volumeId, vmId, request }, clock());
    this.#guard.own.add(id);
    try {
      const done = await work();
      await finishOwnOperation(
        db,
        id,
        { status: 'completed', response: { ...done.response, message: done.message } },
        clock(),
      );
      return {
        changed: true,
        message: `${done.message} (direct, operation ${id})`,
        nbdChanged: done.nbdChanged,
        operationId: id,
      };
    } catch (e) {
      await finishOwnOperation(db, id, { status: 'failed', error: coerceError(e).message }, clock()).catch(
        () => undefined,
      );
      throw e;
    }
  }

  /**
   * Mapping, `ossea_volumes` and, on the OMA once its by-id link shows, the export. The daemon fails
   * the operation when the link is late although CloudStack attached the volume; we record what
   * CloudStack says and leave the export to the missing-nbd-export reconciler once the OMA sees the disk.
   */
  async #recordAttach(
    volumeId: string,
    vmId: string,
    root: boolean,
    sizeBytes: number,
    waitMs = this.deps.byIdWaitMs,
  ): Promise<{ readonly nbdChanged: boolean; readonly note: string }> {
    const { deps } = this;
    const oma = vmId === deps.omaVmId;
    const devicePath = oma ? omaDevicePath(deps, volumeId) : remoteDevicePath(vmId, root);
    const linked = oma ? await waitForLink(devicePath, waitMs, deps.pollMs, deps.signal) : false;
    await recordAttached(deps.db, { volumeId, vmId, oma, root, devicePath, sizeBytes }, deps.clock());
    if (!oma) return { nbdChanged: false, note: '' };
    if (!linked) {
      return {
        nbdChanged: false,
        note: `; ${devicePath} did not appear within ${waitMs} ms, export left for when it does`,
      };
    }
    const problem = await ensureExport(deps, volumeId, devicePath);
    return problem === null ? { nbdChanged: true, note: '' } : { nbdChanged: false, note: `; ${problem}` };
  }

  /** No mapping, `ossea_volumes` detached, and no export left behind (even without a mapping). */
  async #recordDetach(volumeId: string): Promise<boolean> {
    const { deps } = this;
    const exported = await hasExport(deps, volumeId);
    if (exported) await removeExportOf(deps, volumeId);
    await recordDetached(deps.db, volumeId, deps.clock());
    return exported;
  }
}
