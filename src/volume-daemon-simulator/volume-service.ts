/**
 * What each operation does, in the real daemon's order (`service/volume_service.go`,
 * oma-system.md §2.4, §3.3), faults included. Operations run in the background after their row is
 * inserted: `pending → executing → completed|failed`. Pure bookkeeping order lives here; the I/O is
 * in the stores, the export manager and the CloudStack client.
 */
import { stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { decodeVolume } from '../cloudstack/decode-objects.js';
import { linkExists } from '../devices/wait-for-link.js';
import type { DB } from '../db/schema-types.js';
import type { Logger } from '../log.js';
import type { OperationType, VolumeOperation } from '../volume-daemon/types.js';
import type { CloudStackAccess } from './cloudstack-access.js';
import { SimulatorCrashed, type CrashControl } from './crash-control.js';
import type { SimExportManager } from './export-manager.js';
import { mysqlText } from './export-manager.js';
import type { FaultSwitches } from './faults.js';
import { deleteMapping, insertMapping, readMapping, updateOsseaVolume, type MappingRow } from './mapping-store.js';
import { markCompleted, markExecuting, markFailed } from './operation-store.js';
import type { SimUdev } from './udev.js';

const GiB = 1024 ** 3;

/** Everything an operation touches. */
export interface VolumeServiceDeps {
  readonly db: Kysely<DB>;
  /** A fresh CloudStack client per operation (the active `ossea_configs` row is read each time). */
  readonly cloudstack: () => Promise<CloudStackAccess>;
  readonly exports: SimExportManager;
  readonly udev: SimUdev;
  readonly faults: FaultSwitches;
  /** The by-id wait on attach, ms (10 s on the real daemon). */
  readonly linkTimeoutMs: () => number;
  readonly crash: CrashControl;
  readonly logger: Logger;
  /** Called when an operation ends (for stats). */
  readonly onFinished: (type: OperationType, status: 'completed' | 'failed', operationId: string) => void;
}

/** The request of an operation, as the route stored it. */
export type OperationWork =
  | {
      readonly kind: 'create';
      readonly name: string;
      readonly sizeBytes: number;
      readonly diskOfferingId: string;
      readonly zoneId: string;
    }
  | { readonly kind: 'attach'; readonly volumeId: string; readonly vmId: string; readonly root: boolean }
  | { readonly kind: 'detach'; readonly volumeId: string }
  | { readonly kind: 'delete'; readonly volumeId: string };

/** An operation failed with this text (stored in `volume_operations.error`). */
class OperationFailed extends Error {}

export class VolumeService {
  readonly #running = new Set<Promise<void>>();

  constructor(private readonly deps: VolumeServiceDeps) {}

  /** Operations still running in the background. */
  get running(): number {
    return this.#running.size;
  }

  /** Starts an operation whose `pending` row exists; returns at once (the goroutine of the real daemon). */
  start(op: VolumeOperation, work: OperationWork): void {
    const run = this.#run(op, work).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /** Resolves when every running operation has ended (or stopped at a crash). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  async #run(op: VolumeOperation, work: OperationWork): Promise<void> {
    const { db, crash, logger } = this.deps;
    const log = logger.child({ operation: op.id, type: op.type, volume: op.volume_id || undefined });
    try {
      crash.checkpoint('before-executing');
      await markExecuting(db, op.id);
      const response = await this.#execute(work, log);
      crash.checkpoint('write');
      await markCompleted(db, op.id, response);
      this.deps.onFinished(op.type, 'completed', op.id);
      log.info({ response }, 'volume operation completed');
    } catch (e) {
      if (e instanceof SimulatorCrashed || crash.crashed) {
        log.warn(
          { point: e instanceof SimulatorCrashed ? e.point : 'crashed' },
          'volume operation cut short by a crash; its row stays as it is',
        );
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      try {
        await markFailed(db, op.id, message);
        this.deps.onFinished(op.type, 'failed', op.id);
      } catch (writeError) {
        log.error({ error: (writeError as Error).message }, 'cannot record the failure of a volume operation');
      }
      log.warn({ error: message }, 'volume operation failed');
    }
  }

  #execute(work: OperationWork, log: Logger): Promise<Record<string, unknown>> {
    switch (work.kind) {
      case 'create':
        return this.#create(work);
      case 'attach':
        return this.#attach(work, log);
      case 'detach':
        return this.#detach(work.volumeId, log);
      case 'delete':
        return this.#delete(work.volumeId, log);
    }
  }

  async #cloudstack(): Promise<CloudStackAccess> {
    try {
      return await this.deps.cloudstack();
    } catch (e) {
      throw new OperationFailed(`failed to create CloudStack client: ${(e as Error).message}`);
    }
  }

  async #create(work: Extract<OperationWork, { kind: 'create' }>): Promise<Record<string, unknown>> {
    const cs = await this.#cloudstack();
    const zoneId = work.zoneId || cs.zoneId || '';
    const offering = work.diskOfferingId || cs.diskOfferingId || '';
    this.deps.crash.checkpoint('before-cloudstack');
    const sizeGiB = Math.max(1, Math.floor(work.sizeBytes / GiB));
    let volumeId: string;
    try {
      const result = await cs.client.callAsync(
        'createVolume',
        { name: work.name, size: String(sizeGiB), diskofferingid: offering, zoneid: zoneId },
        { signal: this.deps.crash.signal },
      );
      volumeId = decodeVolume(result.volume).id;
    } catch (e) {
      this.#rethrowCrash();
      throw new OperationFailed(`failed to create volume in CloudStack: ${(e as Error).message}`);
    }
    this.deps.crash.checkpoint('after-cloudstack');
    return { volume_id: volumeId, message: 'Volume created successfully' };
  }

  async #attach(work: Extract<OperationWork, { kind: 'attach' }>, log: Logger): Promise<Record<string, unknown>> {
    const { crash, udev, faults, db } = this.deps;
    const cs = await this.#cloudstack();
    crash.checkpoint('before-cloudstack');
    let sizeBytes: number;
    try {
      const volume = await cs.client.attachVolume(
        { id: work.volumeId, virtualMachineId: work.vmId, ...(work.root ? { deviceId: 0 } : {}) },
        { signal: crash.signal },
      );
      sizeBytes = volume.sizeBytes;
    } catch (e) {
      this.#rethrowCrash();
      throw new OperationFailed(
        `failed to attach volume ${work.volumeId} to VM ${work.vmId} in CloudStack: ${(e as Error).message}`,
      );
    }
    const isOma = cs.omaVmId !== null && work.vmId === cs.omaVmId;
    // The kernel and udev act on the attach whatever the daemon does next.
    if (isOma) await udev.attached(work.volumeId, sizeBytes);
    crash.checkpoint('after-cloudstack');
    const base = { volume_id: work.volumeId, vm_id: work.vmId, ...(work.root ? { device_id: 0 } : {}) };
    if (!isOma) {
      const placeholder = work.root ? `remote-vm-root-${work.vmId}` : `remote-vm-${work.vmId}`;
      await this.#insertMapping({
        volumeId: work.volumeId,
        vmId: work.vmId,
        operationMode: 'failover',
        devicePath: placeholder,
        size: 0,
        cloudstackDeviceId: work.root ? 0 : null,
      });
      crash.checkpoint('write');
      await updateOsseaVolume(db, work.volumeId, placeholder, 'attached');
      return { ...base, device_path: placeholder, message: 'Volume attached successfully' };
    }
    const path = udev.pathOf(work.volumeId);
    if (!(await this.#waitForLink(path))) {
      const waited = this.deps.linkTimeoutMs();
      if (!faults['link-timeout']) {
        await cs.client.detachVolume({ id: work.volumeId }, { signal: crash.signal }).catch((e: unknown) => {
          throw new OperationFailed(
            `device ${path} did not appear within ${waited} ms, and the rollback detach failed: ${(e as Error).message}`,
          );
        });
        await udev.detached(work.volumeId);
        throw new OperationFailed(
          `device ${path} did not appear within ${waited} ms; the attach was rolled back in CloudStack`,
        );
      }
      throw new OperationFailed(
        `failed to resolve device path for volume ${work.volumeId}: ${path} did not appear within ${waited} ms`,
      );
    }
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    await this.#insertMapping({
      volumeId: work.volumeId,
      vmId: work.vmId,
      operationMode: 'oma',
      devicePath: path,
      size,
      cloudstackDeviceId: work.root ? 0 : null,
    });
    crash.checkpoint('write');
    await updateOsseaVolume(db, work.volumeId, path, 'attached');
    try {
      crash.checkpoint('write');
      await this.deps.exports.ensureDevicePathCorrect(work.volumeId, path);
      await this.deps.exports.createExport(work.volumeId, path);
    } catch (e) {
      if (e instanceof SimulatorCrashed) throw e;
      log.warn({ error: (e as Error).message }, 'NBD export creation failed (the attach still completes)');
    }
    return { ...base, device_path: path, message: 'Volume attached successfully' };
  }

  async #insertMapping(m: Parameters<typeof insertMapping>[1]): Promise<void> {
    this.deps.crash.checkpoint('write');
    try {
      await insertMapping(this.deps.db, m, { replaceStale: !this.deps.faults['duplicate-mapping'] });
    } catch (e) {
      throw new OperationFailed(`failed to create device mapping: ${mysqlText(e)}`);
    }
  }

  async #detach(volumeId: string, log: Logger): Promise<Record<string, unknown>> {
    const mapping = await readMapping(this.deps.db, volumeId);
    const cs = await this.#cloudstack();
    await this.#detachSteps(volumeId, mapping, cs, log);
    return { volume_id: volumeId, device_path: mapping?.devicePath ?? '', message: 'Volume detached successfully' };
  }

  /** `executeDetachVolume` after the mapping was read: CloudStack, export, mapping, `ossea_volumes`. */
  async #detachSteps(volumeId: string, mapping: MappingRow | null, cs: CloudStackAccess, log: Logger): Promise<void> {
    const { crash, db, faults, exports, udev } = this.deps;
    crash.checkpoint('before-cloudstack');
    try {
      await cs.client.detachVolume({ id: volumeId }, { signal: crash.signal });
    } catch (e) {
      this.#rethrowCrash();
      throw new OperationFailed(`CloudStack volume detachment failed for ${volumeId}: ${(e as Error).message}`);
    }
    await udev.detached(volumeId);
    crash.checkpoint('after-cloudstack');
    const omaExport = mapping !== null && !mapping.devicePath.startsWith('remote-vm-') && mapping.vmId === cs.omaVmId;
    try {
      if (omaExport) await exports.deleteExport(volumeId);
      else if (mapping === null && !faults['detach-keeps-export']) {
        await exports.deleteExport(volumeId, { evenWithoutRow: true });
      }
    } catch (e) {
      log.warn({ error: (e as Error).message }, 'NBD export removal failed (the detach goes on)');
    }
    crash.checkpoint('write');
    await deleteMapping(db, volumeId);
    await updateOsseaVolume(db, volumeId, null, 'detached');
  }

  async #delete(volumeId: string, log: Logger): Promise<Record<string, unknown>> {
    const { crash, db, faults } = this.deps;
    const mapping = await readMapping(db, volumeId);
    const cs = await this.#cloudstack();
    if (mapping !== null) {
      await this.#detachSteps(volumeId, mapping, cs, log);
    } else if (!faults['delete-skips-detach']) {
      const listed = await cs.client.listVolumes({ id: volumeId }, { signal: crash.signal }).catch(() => null);
      const attached = listed?.items.find((v) => v.id === volumeId)?.virtualMachineId ?? null;
      if (attached !== null) await this.#detachSteps(volumeId, null, cs, log);
    }
    crash.checkpoint('before-cloudstack');
    try {
      await cs.client.deleteVolume(volumeId, { signal: crash.signal });
    } catch (e) {
      this.#rethrowCrash();
      throw new OperationFailed(`failed to delete volume ${volumeId} from CloudStack: ${(e as Error).message}`);
    }
    crash.checkpoint('after-cloudstack');
    await deleteMapping(db, volumeId);
    return { volume_id: volumeId, message: 'Volume deleted successfully' };
  }

  /** `ResolveDevicePath`: polls `lstat` every 100 ms up to the timeout. */
  async #waitForLink(path: string): Promise<boolean> {
    const deadline = Date.now() + this.deps.linkTimeoutMs();
    for (;;) {
      this.deps.crash.checkpoint('write');
      if (await linkExists(path)) return true;
      if (Date.now() >= deadline) return false;
      await delay(Math.min(100, Math.max(1, deadline - Date.now())));
    }
  }

  #rethrowCrash(): void {
    if (this.deps.crash.crashed) throw new SimulatorCrashed('cloudstack call');
  }
}
