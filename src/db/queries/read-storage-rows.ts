import type { Kysely } from 'kysely';
import type { DB } from '../schema-types.js';
import { readTable } from './read-table.js';
import type { DeviceMappingRow, NbdExportRow, OsseaVolumeRow, VmExportMappingRow } from '../../world/world.js';
import { noStringPool, type StringPool } from '../../string-pool.js';

/** Every `ossea_volumes` row (one statement). */
export function readOsseaVolumes(db: Kysely<DB>, s: StringPool = noStringPool): Promise<OsseaVolumeRow[]> {
  return readTable(
    db,
    {
      table: 'ossea_volumes',
      columns: [
        'id',
        'vm_context_id',
        'volume_id',
        'volume_name',
        'device_path',
        'status',
        'snapshot_id',
        'snapshot_status',
      ],
      orderBy: ['id'],
    },
    (r) => ({
      id: s(r.id),
      vmContextId: s(r.vm_context_id ?? ''),
      volumeId: s(r.volume_id),
      volumeName: r.volume_name,
      devicePath: s(r.device_path),
      status: s(r.status ?? ''),
      snapshotId: r.snapshot_id,
      snapshotStatus: s(r.snapshot_status),
    }),
  );
}

/** Every device mapping (one statement); a NULL `operation_mode` reads as its default `oma`. */
export function readDeviceMappings(db: Kysely<DB>, s: StringPool = noStringPool): Promise<DeviceMappingRow[]> {
  return readTable(
    db,
    {
      table: 'device_mappings',
      columns: ['id', 'vm_context_id', 'volume_uuid', 'vm_id', 'operation_mode', 'device_path', 'cloudstack_device_id'],
      orderBy: ['id'],
    },
    (r) => ({
      id: r.id,
      vmContextId: s(r.vm_context_id),
      volumeUuid: s(r.volume_uuid),
      vmId: s(r.vm_id),
      operationMode: s(r.operation_mode ?? 'oma'),
      devicePath: s(r.device_path),
      cloudstackDeviceId: r.cloudstack_device_id,
    }),
  );
}

/** Every `nbd_exports` row (one statement). */
export function readNbdExports(db: Kysely<DB>, s: StringPool = noStringPool): Promise<NbdExportRow[]> {
  return readTable(
    db,
    {
      table: 'nbd_exports',
      columns: [
        'id',
        'vm_context_id',
        'job_id',
        'volume_id',
        'vm_disk_id',
        'export_name',
        'device_path',
        'config_path',
        'status',
      ],
      orderBy: ['id'],
    },
    (r) => ({
      id: r.id,
      vmContextId: s(r.vm_context_id ?? ''),
      jobId: s(r.job_id),
      volumeId: s(r.volume_id ?? ''),
      vmDiskId: s(r.vm_disk_id),
      exportName: r.export_name,
      devicePath: s(r.device_path),
      configPath: r.config_path ?? '',
      status: s(r.status),
    }),
  );
}

/** Every legacy `vm_export_mappings` row (one statement). */
export function readVmExportMappings(db: Kysely<DB>): Promise<VmExportMappingRow[]> {
  return readTable(
    db,
    {
      table: 'vm_export_mappings',
      columns: ['id', 'vm_name', 'export_name', 'device_path', 'status'],
      orderBy: ['id'],
    },
    (r) => ({
      id: r.id,
      vmName: r.vm_name,
      exportName: r.export_name,
      devicePath: r.device_path,
      status: r.status ?? 'active',
    }),
  );
}
