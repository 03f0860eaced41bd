/**
 * The Volume Management Daemon's JSON shapes (oma-system.md §2.2), as zod schemas: every answer the
 * client returns has been validated against them, so a daemon speaking another dialect fails loudly.
 */
import { z } from 'zod';

/** `volume_operations.type`. */
export const OPERATION_TYPES = ['create', 'attach', 'detach', 'delete', 'cleanup'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** `volume_operations.status`; the last three are terminal. */
export const OPERATION_STATUSES = ['pending', 'executing', 'completed', 'failed', 'cancelled'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** True once the daemon will not change the operation any more. */
export const isTerminalStatus = (status: OperationStatus): boolean =>
  status === 'completed' || status === 'failed' || status === 'cancelled';

const jsonObject = z.record(z.string(), z.unknown());

/** `models/volume.go` VolumeOperation. `response` and `error` are absent (or null) until the operation ends. */
export const volumeOperationSchema = z.object({
  id: z.string().min(1),
  type: z.enum(OPERATION_TYPES),
  status: z.enum(OPERATION_STATUSES),
  /** `''` for `create` (also after completion: the new id is in `response.volume_id`). */
  volume_id: z.string(),
  vm_id: z.string().nullish(),
  request: jsonObject,
  response: jsonObject.nullish(),
  error: z.string().nullish(),
  created_at: z.string(),
  updated_at: z.string(),
  completed_at: z.string().nullish(),
});
export type VolumeOperation = z.infer<typeof volumeOperationSchema>;

/** `GET /operations?…`: an array, or `null` when nothing matches (Go's nil slice). */
export const operationListSchema = z.array(volumeOperationSchema).nullable();

/** One element of `GET /vms/:id/volumes` (built from `device_mappings` only). */
export const vmVolumeSchema = z.object({
  volume_id: z.string(),
  vm_id: z.string(),
  device_path: z.string(),
  state: z.string(),
  size: z.number(),
  cloudstack_data: z.unknown().nullable(),
});
export type VmVolume = z.infer<typeof vmVolumeSchema>;

/** `GET /volumes/:id/device` (the GET query does not select `id`/`vm_context_id`/snapshot columns). */
export const deviceMappingSchema = z.object({
  id: z.string(),
  vm_context_id: z.string().nullable(),
  volume_uuid: z.string(),
  volume_id_numeric: z.number().nullable(),
  vm_id: z.string(),
  operation_mode: z.enum(['oma', 'failover']),
  cloudstack_device_id: z.number().nullable(),
  requires_device_correlation: z.boolean(),
  device_path: z.string(),
  cloudstack_state: z.string(),
  linux_state: z.string(),
  size: z.number(),
  last_sync: z.string().nullable(),
  snapshot_status: z.string(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});
export type DeviceMapping = z.infer<typeof deviceMappingSchema>;

/** Root `GET /health`. */
export const healthSchema = z.object({
  status: z.string(),
  timestamp: z.string(),
  service: z.string().optional(),
  version: z.string().optional(),
});
export type DaemonHealth = z.infer<typeof healthSchema>;

/** `{"error": "<text>"}`, the body of every 400/404/500. */
export const errorBodySchema = z.object({ error: z.string() });

/** Body of `POST /volumes`. `size` is in bytes (the daemon rounds down to GiB, minimum 1). */
export interface CreateVolumeRequest {
  readonly name: string;
  readonly size: number;
  readonly disk_offering_id?: string;
  readonly zone_id?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Query of `GET /operations`. */
export interface OperationFilter {
  readonly type?: OperationType;
  readonly status?: OperationStatus;
  readonly volume_id?: string;
  readonly vm_id?: string;
  readonly limit?: number;
}
