/**
 * `device_mappings` and `ossea_volumes.device_path/status` as the real daemon writes them
 * (`database/repository.go`, `repository/ossea_volume_repository.go`).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema-types.js';
import { contextOfVolume } from '../db/queries/context-of-volume.js';
import type { DeviceMapping, VmVolume } from '../volume-daemon/types.js';

/** The columns of a mapping the daemon's logic reads. */
export interface MappingRow {
  readonly volumeId: string;
  readonly vmId: string;
  readonly operationMode: 'oma' | 'failover';
  readonly devicePath: string;
  readonly size: number;
}

/** A new mapping. */
export interface NewMapping {
  readonly volumeId: string;
  readonly vmId: string;
  readonly operationMode: 'oma' | 'failover';
  readonly devicePath: string;
  readonly size: number;
  /** 0 for a root attachment, else null. */
  readonly cloudstackDeviceId: number | null;
}

export async function readMapping(db: Kysely<DB>, volumeId: string): Promise<MappingRow | null> {
  const row = await db
    .selectFrom('device_mappings')
    .select(['volume_uuid', 'vm_id', 'operation_mode', 'device_path', 'size'])
    .where('volume_uuid', '=', volumeId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    volumeId: row.volume_uuid,
    vmId: row.vm_id,
    operationMode: row.operation_mode ?? 'oma',
    devicePath: row.device_path,
    size: Number(row.size),
  };
}

/**
 * The daemon's plain INSERT: a row left for the volume makes it fail with the driver's
 * "Duplicate entry … for key 'volume_id'". With `replaceStale` (the fix) that row is deleted first,
 * in the same transaction.
 */
export async function insertMapping(
  db: Kysely<DB>,
  m: NewMapping,
  options: { readonly replaceStale: boolean },
): Promise<void> {
  const oma = m.operationMode === 'oma';
  const write = async (tx: Kysely<DB>) => {
    if (options.replaceStale) await tx.deleteFrom('device_mappings').where('volume_uuid', '=', m.volumeId).execute();
    await tx
      .insertInto('device_mappings')
      .values({
        vm_context_id: await contextOfVolume(tx, m.volumeId),
        volume_uuid: m.volumeId,
        vm_id: m.vmId,
        operation_mode: m.operationMode,
        cloudstack_device_id: m.cloudstackDeviceId,
        requires_device_correlation: oma ? 1 : 0,
        device_path: m.devicePath,
        cloudstack_state: 'attached',
        linux_state: oma ? 'detected' : 'n/a',
        size: m.size,
      })
      .execute();
  };
  if (options.replaceStale) await db.transaction().execute(write);
  else await write(db);
}

export async function deleteMapping(db: Kysely<DB>, volumeId: string): Promise<void> {
  await db.deleteFrom('device_mappings').where('volume_uuid', '=', volumeId).execute();
}

/** `UPDATE ossea_volumes SET device_path=?, status=? WHERE volume_id=?`. */
export async function updateOsseaVolume(
  db: Kysely<DB>,
  volumeId: string,
  devicePath: string | null,
  status: 'attached' | 'detached',
): Promise<void> {
  await db
    .updateTable('ossea_volumes')
    .set({ device_path: devicePath, status })
    .where('volume_id', '=', volumeId)
    .execute();
}

/** `GET /vms/:id/volumes`, from `device_mappings` only. */
export async function volumesOfVm(db: Kysely<DB>, vmId: string): Promise<VmVolume[]> {
  const rows = await db
    .selectFrom('device_mappings')
    .select(['volume_uuid', 'vm_id', 'device_path', 'size'])
    .where('vm_id', '=', vmId)
    .orderBy('created_at')
    .orderBy('volume_uuid')
    .execute();
  return rows.map((r) => ({
    volume_id: r.volume_uuid,
    vm_id: r.vm_id,
    device_path: r.device_path,
    state: 'attached',
    size: Number(r.size),
    cloudstack_data: null,
  }));
}

/** `GET /volumes/:id/device` (the daemon's query does not select id, context or snapshot columns). */
export async function deviceMappingJson(db: Kysely<DB>, volumeId: string): Promise<DeviceMapping | null> {
  const r = await db.selectFrom('device_mappings').selectAll().where('volume_uuid', '=', volumeId).executeTakeFirst();
  if (!r) return null;
  const iso = (d: Date | null) => (d ? d.toISOString().replace('.000Z', 'Z') : null);
  return {
    id: '',
    vm_context_id: null,
    volume_uuid: r.volume_uuid,
    volume_id_numeric: r.volume_id_numeric === null ? null : Number(r.volume_id_numeric),
    vm_id: r.vm_id,
    operation_mode: r.operation_mode ?? 'oma',
    cloudstack_device_id: r.cloudstack_device_id,
    requires_device_correlation: r.requires_device_correlation === 1,
    device_path: r.device_path,
    cloudstack_state: r.cloudstack_state,
    linux_state: r.linux_state,
    size: Number(r.size),
    last_sync: iso(r.last_sync),
    snapshot_status: '',
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}
