/**
 * The Volume Daemon's bookkeeping of a volume move (oma-system.md §2.4, §3.3), written the way the
 * daemon writes it so the appliance cannot tell who moved the volume — minus the daemon's faults:
 * a stale mapping row is replaced instead of tripping the unique key, and a detach removes the
 * export even when the mapping was already gone.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema-types.js';
import { contextOfVolume } from '../db/queries/context-of-volume.js';
import { byIdPath } from '../devices/volume-serial.js';
import { exportNameFor } from '../../reconcilers/lib/names.js';
import type { VolumeWriterDeps } from './volume-writer.js';

/** The daemon's placeholder device path of a volume attached to a VM other than the OMA. */
export function remoteDevicePath(vmId: string, root: boolean): string {
  return root ? `remote-vm-root-${vmId}` : `remote-vm-${vmId}`;
}

/** After a detach (or a delete): no mapping row, `ossea_volumes` detached with no device path. */
export async function recordDetached(db: Kysely<DB>, volumeId: string, now: Date): Promise<void> {
  await db.deleteFrom('device_mappings').where('volume_uuid', '=', volumeId).execute();
  await db
    .updateTable('ossea_volumes')
    .set({ device_path: null, status: 'detached', updated_at: now })
    .where('volume_id', '=', volumeId)
    .execute();
}

/** After an attach: the one mapping row of the volume and `ossea_volumes` attached at that path. */
export async function recordAttached(
  db: Kysely<DB>,
  a: {
    readonly volumeId: string;
    readonly vmId: string;
    readonly oma: boolean;
    readonly root: boolean;
    readonly devicePath: string;
    readonly sizeBytes: number;
  },
  now: Date,
): Promise<void> {
  const contextId = await contextOfVolume(db, a.volumeId);
  const row = {
    vm_context_id: contextId,
    vm_id: a.vmId,
    operation_mode: a.oma ? ('oma' as const) : ('failover' as const),
    cloudstack_device_id: a.root ? 0 : null,
    requires_device_correlation: a.oma ? 1 : 0,
    device_path: a.devicePath,
    cloudstack_state: 'attached',
    linux_state: a.oma ? 'detected' : 'n/a',
    size: a.oma ? a.sizeBytes : 0,
    last_sync: now,
    updated_at: now,
  };
  // device_path is globally unique: a placeholder another volume holds (incident 9) is left to it,
  // and the attachment stays known from CloudStack alone, as on the appliance.
  const holder = await db
    .selectFrom('device_mappings')
    .select('volume_uuid')
    .where('device_path', '=', a.devicePath)
    .executeTakeFirst();
  const pathFree = holder === undefined || holder.volume_uuid === a.volumeId;
  const existing = await db.selectFrom('device_mappings').select('id').where('volume_uuid', '=', a.volumeId).execute();
  const [keep, ...extra] = existing;
  if (extra.length > 0) {
    await db
      .deleteFrom('device_mappings')
      .where(
        'id',
        'in',
        extra.map((r) => r.id),
      )
      .execute();
  }
  if (!pathFree) {
    if (keep) await db.deleteFrom('device_mappings').where('id', '=', keep.id).execute();
  } else if (keep) {
    await db.updateTable('device_mappings').set(row).where('id', '=', keep.id).execute();
  } else {
    await db
      .insertInto('device_mappings')
      .values({ ...row, volume_uuid: a.volumeId, created_at: now })
      .execute();
  }
  await db
    .updateTable('ossea_volumes')
    .set({ device_path: a.devicePath, status: 'attached', updated_at: now })
    .where('volume_id', '=', a.volumeId)
    .execute();
}

/** The by-id path of a volume on the OMA. */
export function omaDevicePath(deps: Pick<VolumeWriterDeps, 'deviceByIdDir'>, volumeId: string): string {
  return byIdPath(volumeId, deps.deviceByIdDir);
}

/**
 * Writes (or re-asserts) the export of a volume on the OMA — conf.d file through the export manager
 * and its `active` row. Returns why the manager refused (nothing written) or null when done.
 */
export async function ensureExport(
  deps: VolumeWriterDeps,
  volumeId: string,
  devicePath: string,
): Promise<string | null> {
  const name = exportNameFor(volumeId);
  const outcome = await deps.nbd.addExport({ name, exportname: devicePath });
  if (outcome.status === 'refused' || outcome.status === 'failed') return `export ${name}: ${outcome.reason}`;
  const now = deps.clock();
  const values = {
    vm_context_id: (await contextOfVolume(deps.db, volumeId)) ?? '',
    volume_id: volumeId,
    port: deps.nbdPort,
    device_path: devicePath,
    config_path: join(deps.nbdConfDir, `${name}.conf`),
    status: 'active',
    updated_at: now,
  };
  const existing = await deps.db
    .selectFrom('nbd_exports')
    .select('id')
    .where('export_name', '=', name)
    .executeTakeFirst();
  if (existing) await deps.db.updateTable('nbd_exports').set(values).where('id', '=', existing.id).execute();
  else if (values.vm_context_id !== '') {
    await deps.db
      .insertInto('nbd_exports')
      .values({ ...values, export_name: name, job_id: null, created_at: now })
      .execute();
  }
  return null;
}

/** Whether the volume still has an export file or row (what a detach must not leave behind). */
export async function hasExport(deps: VolumeWriterDeps, volumeId: string): Promise<boolean> {
  const name = exportNameFor(volumeId);
  const row = await deps.db.selectFrom('nbd_exports').select('id').where('export_name', '=', name).executeTakeFirst();
  if (row) return true;
  return access(join(deps.nbdConfDir, `${name}.conf`)).then(
    () => true,
    () => false,
  );
}

/** What is missing of a volume's export on the OMA (file, `active` row), or null when both are there. */
export async function exportGap(
  deps: Pick<VolumeWriterDeps, 'db' | 'nbdConfDir'>,
  volumeId: string,
): Promise<string | null> {
  const name = exportNameFor(volumeId);
  const row = await deps.db
    .selectFrom('nbd_exports')
    .select('status')
    .where('export_name', '=', name)
    .executeTakeFirst();
  const file = await access(join(deps.nbdConfDir, `${name}.conf`)).then(
    () => true,
    () => false,
  );
  const missing = [
    file ? '' : 'conf.d file',
    !row ? 'nbd_exports row' : row.status !== 'active' ? `active row (it is ${row.status})` : '',
  ].filter((m) => m !== '');
  return missing.length === 0 ? null : `export ${name}: no ${missing.join(' and no ')} after the attach`;
}

/** Removes the export of a volume (file with a backup, row); throws when the manager refuses. */
export function removeExportOf(deps: Pick<VolumeWriterDeps, 'db' | 'nbd'>, volumeId: string): Promise<string> {
  return removeExportNamed(deps, exportNameFor(volumeId));
}

/** Removes an export by name (file with a backup, rows); throws when the manager refuses. */
export async function removeExportNamed(deps: Pick<VolumeWriterDeps, 'db' | 'nbd'>, name: string): Promise<string> {
  const outcome = await deps.nbd.removeExport(name);
  if (outcome.status === 'refused' || outcome.status === 'failed') {
    throw new Error(`export ${name} was not removed: ${outcome.reason}`);
  }
  await deps.db.deleteFrom('nbd_exports').where('export_name', '=', name).execute();
  return outcome.backup === undefined ? `removed export ${name}` : `removed export ${name} (backup ${outcome.backup})`;
}

/** "the OMA" or "VM <id>", for messages. */
export function vmLabel(deps: Pick<VolumeWriterDeps, 'omaVmId'>, vmId: string): string {
  return vmId === deps.omaVmId ? 'the OMA' : `VM ${vmId}`;
}
