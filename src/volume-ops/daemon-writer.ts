/**
 * Moves volumes through the Volume Management Daemon, the appliance's one path for them. Before a
 * call it repairs what the daemon would trip on; after it, it judges the outcome from CloudStack
 * and the database — never from the operation's status alone, since the daemon can report `failed`
 * after CloudStack succeeded (incident 10) — and completes the bookkeeping the daemon skipped.
 */
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
import { VolumeDaemonOperationTimeoutError } from '../volume-daemon/errors.js';
import type { VolumeOperation } from '../volume-daemon/types.js';
import type { VolumeDaemonClient } from '../volume-daemon/volume-daemon-client.js';
import {
  VolumeMoveError,
  type AttachOptions,
  type MoveOutcome,
  type VolumeWriter,
  type VolumeWriterDeps,
} from './volume-writer.js';
import { vmLabel } from './bookkeeping.js';
import { access } from 'node:fs/promises';

/** The daemon path; see the module comment. */
export class DaemonVolumeWriter implements VolumeWriter {
  readonly path = 'daemon' as const;
  readonly #guard: MoveGuard;

  constructor(
    private readonly deps: VolumeWriterDeps,
    private readonly daemon: VolumeDaemonClient,
    operationStaleMs: number,
  ) {
    this.#guard = new MoveGuard(deps, operationStaleMs);
  }

  async attach(volumeId: string, vmId: string, options: AttachOptions = {}): Promise<MoveOutcome> {
    const { deps } = this;
    const root = options.root === true;
    const live = await startAttach(deps, volumeId, vmId, this.#guard);
    if (live.virtualMachineId === vmId) {
      const fixed = await this.#completeAttach(volumeId, vmId, root, live.sizeBytes);
      return {
        changed: false,
        message: `volume ${volumeId} is already attached to ${vmLabel(this.deps, vmId)}${fixed.note}`,
        nbdChanged: fixed.nbdChanged,
        operationId: null,
      };
    }
    // A mapping row of a volume CloudStack says is detached makes the daemon's plain INSERT fail on
    // the unique key after it attached the volume (incident 10): remove it first.
    const stale = await deps.db.deleteFrom('device_mappings').where('volume_uuid', '=', volumeId).executeTakeFirst();
    // Again, last before the request: the delete above took a round trip.
    await this.#guard.recheck(volumeId);
    const route = root ? 'attach-root' : 'attach';
    const started = root
      ? await this.daemon.attachVolumeAsRoot(volumeId, vmId, deps.signal)
      : await this.daemon.attachVolume(volumeId, vmId, deps.signal);
    const operationId = started.id;
    this.#guard.own.add(operationId);
    const end = await this.#wait(operationId, route, volumeId);
    const after = await findVolume(deps.cloudstack, volumeId, deps.signal);
    if (after?.virtualMachineId !== vmId) {
      throw new VolumeMoveError(
        `Volume Daemon ${route} of volume ${volumeId} (operation ${operationId}) ended ${describe(end)}; CloudStack says it is ${after ? `attached to ${after.virtualMachineId ?? 'no VM'}` : 'gone'}`,
      );
    }
    const fixed = await this.#completeAttach(volumeId, vmId, root, after.sizeBytes);
    const staleNote = Number(stale.numDeletedRows) > 0 ? '; removed a stale mapping row first' : '';
    return {
      changed: true,
      message: `attached volume ${volumeId} to ${vmLabel(this.deps, vmId)} through the Volume Daemon (operation ${operationId}, ${describe(end)})${staleNote}${fixed.note}`,
      nbdChanged: fixed.nbdChanged,
      operationId,
    };
  }

  async detach(volumeId: string): Promise<MoveOutcome> {
    const { deps } = this;
    const live = await liveVolumeToMove(deps, volumeId, this.#guard);
    const from = live?.virtualMachineId ?? null;
    if (from === null) {
      const fixed = await this.#completeDetach(volumeId);
      return {
        changed: false,
        message: `volume ${volumeId} is ${live ? 'already detached' : 'gone'}${fixed.note}`,
        nbdChanged: fixed.nbdChanged,
        operationId: null,
        detachedFrom: null,
      };
    }
    const operationId = (await this.daemon.detachVolume(volumeId, deps.signal)).id;
    this.#guard.own.add(operationId);
    const end = await this.#wait(operationId, 'detach', volumeId);
    const after = await findVolume(deps.cloudstack, volumeId, deps.signal);
    if (after && after.virtualMachineId !== null) {
      throw new VolumeMoveError(
        `Volume Daemon detach of volume ${volumeId} (operation ${operationId}) ended ${describe(end)}; CloudStack says it is still attached to ${after.virtualMachineId}`,
      );
    }
    // Without a mapping the daemon detaches in CloudStack but leaves the export (incident 11).
    const fixed = await this.#completeDetach(volumeId);
    return {
      changed: true,
      message: `detached volume ${volumeId} from ${vmLabel(this.deps, from)} through the Volume Daemon (operation ${operationId}, ${describe(end)})${fixed.note}`,
      nbdChanged: fixed.nbdChanged,
      operationId,
      detachedFrom: from,
    };
  }

  async delete(volumeId: string): Promise<MoveOutcome> {
    const { deps } = this;
    const { live, gone } = await startDelete(deps, volumeId, this.#guard);
    if (gone) return gone;
    // Without a mapping the daemon skips the detach and CloudStack refuses to delete an attached
    // volume: detach through the daemon first whenever CloudStack says it is attached.
    const detached = live.virtualMachineId !== null ? await this.detach(volumeId) : null;
    await this.#guard.recheck(volumeId);
    const operationId = (await this.daemon.deleteVolume(volumeId, deps.signal)).id;
    this.#guard.own.add(operationId);
    const end = await this.#wait(operationId, 'delete', volumeId);
    const after = await findVolume(deps.cloudstack, volumeId, deps.signal);
    if (after) {
      throw new VolumeMoveError(
        `Volume Daemon delete of volume ${volumeId} (operation ${operationId}) ended ${describe(end)}; CloudStack still lists it (${after.state})`,
      );
    }
    await deps.db.deleteFrom('device_mappings').where('volume_uuid', '=', volumeId).execute();
    const message = `deleted volume ${volumeId} (${live.name}) through the Volume Daemon (operation ${operationId}, ${describe(end)})`;
    return detached
      ? {
          changed: true,
          message: `${detached.message}; ${message}`,
          nbdChanged: detached.nbdChanged,
          operationId,
          detachedFrom: detached.detachedFrom ?? null,
        }
      : { changed: true, message, nbdChanged: false, operationId };
  }

  /** The operation's end (timeouts per type, oma-system.md §2.3). A still-running one is never repeated. */
  async #wait(operationId: string, route: string, volumeId: string): Promise<VolumeOperation> {
    try {
      return await this.daemon.waitForOperation(operationId, { omaVmId: this.deps.omaVmId, signal: this.deps.signal });
    } catch (e) {
      if (!(e instanceof VolumeDaemonOperationTimeoutError)) throw e;
      // The in-flight gate holds the volume until the operation ends or goes stale.
      throw new VolumeMoveError(
        `Volume Daemon ${route} of volume ${volumeId} (operation ${operationId}) is still ${e.status} after ${Math.round(e.timeoutMs / 1000)} s; the volume is left to it`,
      );
    }
  }

  /** What the daemon should have recorded after an attach, written where it did not. */
  async #completeAttach(
    volumeId: string,
    vmId: string,
    root: boolean,
    sizeBytes: number,
  ): Promise<{ readonly nbdChanged: boolean; readonly note: string }> {
    const { deps } = this;
    const oma = vmId === deps.omaVmId;
    const devicePath = oma ? omaDevicePath(deps, volumeId) : remoteDevicePath(vmId, root);
    const mapping = await deps.db
      .selectFrom('device_mappings')
      .select(['vm_id', 'device_path'])
      .where('volume_uuid', '=', volumeId)
      .executeTakeFirst();
    const notes: string[] = [];
    if (!mapping || mapping.vm_id !== vmId || mapping.device_path !== devicePath) {
      if (oma || !mapping) {
        await recordAttached(deps.db, { volumeId, vmId, oma, root, devicePath, sizeBytes }, deps.clock());
        notes.push('wrote the mapping the daemon did not');
      }
    }
    if (!oma) return { nbdChanged: false, note: notes.map((n) => `; ${n}`).join('') };
    const linked = await access(devicePath).then(
      () => true,
      () => false,
    );
    const name = `migration-vol-${volumeId}`;
    const row = await deps.db
      .selectFrom('nbd_exports')
      .select(['device_path', 'status'])
      .where('export_name', '=', name)
      .executeTakeFirst();
    const file = await hasExport(deps, volumeId);
    let nbdChanged = false;
    if (linked && (!row || !file || row.device_path !== devicePath || row.status !== 'active')) {
      const problem = await ensureExport(deps, volumeId, devicePath);
      if (problem === null) {
        nbdChanged = true;
        notes.push('completed the export the daemon did not');
      } else notes.push(problem);
    }
    return { nbdChanged, note: notes.map((n) => `; ${n}`).join('') };
  }

  /** No mapping and no export left behind after a detach. */
  async #completeDetach(volumeId: string): Promise<{ readonly nbdChanged: boolean; readonly note: string }> {
    const { deps } = this;
    const exported = await hasExport(deps, volumeId);
    if (exported) await removeExportOf(deps, volumeId);
    const mapping = await deps.db
      .selectFrom('device_mappings')
      .select('id')
      .where('volume_uuid', '=', volumeId)
      .executeTakeFirst();
    if (mapping) await recordDetached(deps.db, volumeId, deps.clock());
    const notes = [
      exported ? 'removed the export the daemon left' : '',
      mapping ? 'removed the mapping the daemon left' : '',
    ].filter((n) => n !== '');
    return { nbdChanged: exported, note: notes.map((n) => `; ${n}`).join('') };
  }
}

function describe(end: VolumeOperation): string {
  return end.status === 'failed' ? `failed: ${end.error ?? 'no error text'}` : end.status;
}
