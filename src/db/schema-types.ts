/**
 * Typed view of the tables oma-reconciler reads and writes: the `migratekit_oma` tables reproduced
 * by `schema/oma` (plus the `annotations` columns `schema/reconciler` adds) and the reconciler's
 * own `oma_reconciler_*` tables. Hand-written; `DB_COLUMNS` below lists every column of every table
 * and a test checks it against `information_schema` of a migrated database, so neither can drift.
 *
 * How values arrive through the pool of `connect.ts`:
 * - BIGINT (ids, sizes, ports) → decimal strings (`bigNumberStrings`); INT/TINYINT/DOUBLE/DECIMAL → numbers;
 * - DATETIME/TIMESTAMP → `Date` (UTC);
 * - JSON columns (`longtext … CHECK (json_valid(col))`) → text (`jsonStrings`: mysql2's own parse
 *   throws on text MariaDB accepts and closes the connection), typed `unknown`: read them through
 *   `parseJsonColumn` / `annotationsOf` (queries/json-column.ts), per row. Written as JSON text.
 */
import type { ColumnType, Generated } from 'kysely';

/** BIGINT: read as a decimal string, written as a number or string. */
export type BigIntColumn = ColumnType<string, string | number, string | number>;
export type NullableBigInt = ColumnType<string | null, string | number | null, string | number | null>;
/** AUTO_INCREMENT BIGINT primary key. */
export type GeneratedBigInt = ColumnType<string, string | number | undefined, string | number>;
export type DateColumn = ColumnType<Date, Date | string, Date | string>;
export type NullableDate = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** NOT NULL with a `current_timestamp()` default. */
export type DefaultedDate = ColumnType<Date, Date | string | undefined, Date | string>;
export type JsonColumn = ColumnType<unknown, string, string>;
export type NullableJson = ColumnType<unknown, string | null, string | null>;

export type ContextStatus =
  | 'discovered'
  | 'replicating'
  | 'ready_for_failover'
  | 'failed_over_test'
  | 'failed_over_live'
  | 'completed'
  | 'failed'
  | 'cleanup_required';
export type FailoverJobStatus =
  | 'pending'
  | 'validating'
  | 'snapshotting'
  | 'creating_vm'
  | 'switching_volume'
  | 'powering_on'
  | 'completed'
  | 'failed'
  | 'cleanup'
  | 'reverting';
export type JobTrackingType =
  | 'cleanup'
  | 'failover'
  | 'migration'
  | 'cloudstack'
  | 'volume_daemon'
  | 'linstor'
  | 'virtio'
  | 'ossea'
  | 'scheduler'
  | 'discovery'
  | 'bulk-operations'
  | 'group-management'
  | 'conflict-detection'
  | 'phantom-detection'
  | 'schedule_management'
  | 'schedule_control';
export type JobTrackingStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type JobCategory = 'system' | 'failover' | 'replication' | 'scheduler' | 'discovery' | 'bulk';
export type ActionOutcome = 'pending' | 'success' | 'error' | 'dry_run' | 'blocked' | 'undone' | 'abandoned';
export type CleanupRequestStatus = 'accepted' | 'running' | 'done' | 'failed' | 'refused';

export interface OsseaConfigsTable {
  id: GeneratedBigInt;
  name: string;
  api_url: string;
  api_key: string;
  secret_key: string;
  domain: string | null;
  zone: string;
  template_id: string | null;
  network_id: string | null;
  service_offering_id: string | null;
  disk_offering_id: string | null;
  oma_vm_id: string | null;
  created_at: NullableDate;
  updated_at: NullableDate;
  is_active: number | null;
}

/** Stub (FK target only). */
export interface VmwareCredentialsTable {
  id: Generated<number>;
  credential_name: string;
  vcenter_host: string;
  username: string;
  password_encrypted: string;
  datacenter: string;
  is_active: number | null;
  is_default: number | null;
  created_at: NullableDate;
  updated_at: NullableDate;
  created_by: string | null;
  last_used: NullableDate;
  usage_count: number | null;
}

/** Stub (FK target only). */
export interface VmMachineGroupsTable {
  id: Generated<string>;
  name: string;
  description: string | null;
  schedule_id: string | null;
  max_concurrent_vms: number | null;
  priority: number | null;
  created_at: NullableDate;
  updated_at: NullableDate;
  created_by: string | null;
}

/** Stub (FK target only). */
export interface ScheduleExecutionsTable {
  id: Generated<string>;
  schedule_id: string;
  group_id: string | null;
  scheduled_at: DateColumn;
  started_at: NullableDate;
  completed_at: NullableDate;
  status: 'scheduled' | 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled' | null;
  created_at: NullableDate;
  triggered_by: string | null;
}

export interface VmReplicationContextsTable {
  context_id: Generated<string>;
  vm_name: string;
  vmware_vm_id: string;
  vm_path: string;
  vcenter_host: string;
  datacenter: string;
  current_status: Generated<ContextStatus>;
  current_job_id: string | null;
  total_jobs_run: number | null;
  successful_jobs: number | null;
  failed_jobs: number | null;
  last_successful_job_id: string | null;
  cpu_count: number | null;
  memory_mb: number | null;
  os_type: string | null;
  power_state: string | null;
  vm_tools_version: string | null;
  created_at: NullableDate;
  updated_at: NullableDate;
  first_job_at: NullableDate;
  last_job_at: NullableDate;
  last_status_change: NullableDate;
  auto_added: number | null;
  last_scheduled_job_id: string | null;
  next_scheduled_at: NullableDate;
  scheduler_enabled: number | null;
  credential_id: number | null;
  ossea_config_id: number | null;
  last_operation_summary: NullableJson;
  /** Added by `schema/reconciler`. */
  annotations: NullableJson;
}

export interface ReplicationJobsTable {
  id: string;
  vm_context_id: string | null;
  source_vm_id: string;
  source_vm_name: string;
  source_vm_path: string;
  v_center_host: string;
  datacenter: string;
  replication_type: string;
  target_network: string | null;
  status: string | null;
  progress_percent: number | null;
  current_operation: string | null;
  bytes_transferred: NullableBigInt;
  total_bytes: NullableBigInt;
  transfer_speed_bps: NullableBigInt;
  error_message: string | null;
  change_id: string | null;
  previous_change_id: string | null;
  snapshot_id: string | null;
  nbd_port: NullableBigInt;
  nbd_export_name: string | null;
  target_device: string | null;
  ossea_config_id: NullableBigInt;
  created_at: NullableDate;
  updated_at: NullableDate;
  started_at: NullableDate;
  completed_at: NullableDate;
  vma_sync_type: string | null;
  vma_current_phase: string | null;
  vma_throughput_mbps: number | null;
  vma_eta_seconds: number | null;
  vma_last_poll_at: NullableDate;
  vma_error_classification: string | null;
  vma_error_details: string | null;
  setup_progress_percent: number | null;
  schedule_execution_id: string | null;
  scheduled_by: string | null;
  vm_group_id: string | null;
  /** Added by `schema/reconciler`. */
  annotations: NullableJson;
}

export interface VmDisksTable {
  id: GeneratedBigInt;
  vm_context_id: string | null;
  job_id: string;
  disk_id: string;
  vm_dk_path: string;
  size_gb: BigIntColumn;
  datastore: string | null;
  unit_number: NullableBigInt;
  label: string | null;
  capacity_bytes: NullableBigInt;
  provisioning_type: string | null;
  ossea_volume_id: NullableBigInt;
  disk_change_id: string | null;
  sync_status: string | null;
  sync_progress_percent: number | null;
  bytes_synced: NullableBigInt;
  created_at: NullableDate;
  updated_at: NullableDate;
  cpu_count: number | null;
  memory_mb: number | null;
  os_type: string | null;
  vm_tools_version: string | null;
  network_config: string | null;
  display_name: string | null;
  annotation: string | null;
  power_state: string | null;
  vmware_uuid: string | null;
  bios_setup: string | null;
}

export interface OsseaVolumesTable {
  id: GeneratedBigInt;
  vm_context_id: string | null;
  volume_id: string;
  volume_name: string;
  size_gb: BigIntColumn;
  ossea_config_id: NullableBigInt;
  volume_type: string | null;
  device_path: string | null;
  mount_point: string | null;
  status: string | null;
  created_at: NullableDate;
  updated_at: NullableDate;
  snapshot_id: string | null;
  snapshot_created_at: NullableDate;
  snapshot_status: string | null;
}

export interface DeviceMappingsTable {
  id: Generated<string>;
  vm_context_id: string | null;
  volume_uuid: string;
  volume_id_numeric: NullableBigInt;
  vm_id: string;
  operation_mode: 'oma' | 'failover' | null;
  cloudstack_device_id: number | null;
  requires_device_correlation: number | null;
  device_path: string;
  cloudstack_state: string;
  linux_state: string;
  size: BigIntColumn;
  last_sync: NullableDate;
  created_at: NullableDate;
  updated_at: NullableDate;
  ossea_snapshot_id: string | null;
  snapshot_created_at: NullableDate;
  snapshot_status: string | null;
  persistent_device_name: string | null;
  symlink_path: string | null;
}

export interface NbdExportsTable {
  id: GeneratedBigInt;
  vm_context_id: string | null;
  job_id: string | null;
  volume_id: string | null;
  vm_disk_id: NullableBigInt;
  device_mapping_uuid: string | null;
  export_name: string;
  port: BigIntColumn;
  device_path: string;
  config_path: string | null;
  status: Generated<string>;
  created_at: NullableDate;
  updated_at: NullableDate;
}

export interface VmExportMappingsTable {
  id: GeneratedBigInt;
  vm_id: string;
  disk_unit_number: number;
  vm_name: string;
  export_name: string;
  device_path: string;
  status: 'active' | 'inactive' | null;
  created_at: NullableDate;
  updated_at: NullableDate;
}

export interface FailoverJobsTable {
  id: GeneratedBigInt;
  vm_context_id: string | null;
  job_id: string;
  vm_id: string;
  replication_job_id: string | null;
  job_type: 'live' | 'test';
  status: Generated<FailoverJobStatus>;
  source_vm_name: string;
  source_vm_spec: string | null;
  destination_vm_id: string | null;
  ossea_snapshot_id: string | null;
  linstor_snapshot_name: string | null;
  linstor_config_id: number | null;
  network_mappings: string | null;
  error_message: string | null;
  created_at: NullableDate;
  updated_at: NullableDate;
  started_at: NullableDate;
  completed_at: NullableDate;
  /** Added by `schema/reconciler`. */
  annotations: NullableJson;
}

export interface JobTrackingTable {
  id: Generated<string>;
  parent_job_id: string | null;
  job_type: JobTrackingType | null;
  operation: string;
  status: JobTrackingStatus | null;
  cloudstack_job_id: string | null;
  external_job_id: string | null;
  metadata: NullableJson;
  error_message: string | null;
  started_at: NullableDate;
  completed_at: NullableDate;
  created_at: NullableDate;
  updated_at: NullableDate;
  percent_complete: number | null;
  canceled_at: NullableDate;
  owner: string | null;
  context_id: string | null;
  job_category: JobCategory | null;
}

export interface JobStepsTable {
  id: GeneratedBigInt;
  job_id: string;
  name: string;
  seq: number;
  status: Generated<'running' | 'completed' | 'failed' | 'skipped'>;
  started_at: DefaultedDate;
  completed_at: NullableDate;
  error_message: string | null;
  metadata: NullableJson;
}

export interface LogEventsTable {
  id: GeneratedBigInt;
  job_id: string | null;
  step_id: NullableBigInt;
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  message: string;
  attrs: NullableJson;
  ts: DefaultedDate;
  external_job_id: string | null;
}

export interface VolumeOperationsTable {
  id: string;
  type: 'create' | 'attach' | 'detach' | 'delete' | 'cleanup';
  status: Generated<'pending' | 'executing' | 'completed' | 'failed' | 'cancelled'>;
  volume_id: string;
  vm_id: string | null;
  request: JsonColumn;
  response: NullableJson;
  error: string | null;
  created_at: NullableDate;
  updated_at: NullableDate;
  completed_at: NullableDate;
}

/** Append-only audit log of actions (outcome and finish time are filled in later). */
export interface OmaReconcilerActionsTable {
  id: GeneratedBigInt;
  pass_id: string;
  drift_id: string | null;
  kind: string;
  action: string;
  subject_type: string;
  subject_id: string;
  subject_name: string | null;
  context_id: string | null;
  /** What was meant and why, including the drift evidence. */
  intent: JsonColumn;
  outcome: Generated<ActionOutcome>;
  error: string | null;
  reversible: Generated<number>;
  undo_data: NullableJson;
  /** For an undo, the id of the action it reversed. */
  undo_of: NullableBigInt;
  /** `daemon`, `cli` or `api:<name>`. */
  actor: string;
  leader_host: string | null;
  created_at: DefaultedDate;
  finished_at: NullableDate;
}

export interface OmaReconcilerDriftTable {
  drift_id: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  subject_name: string | null;
  first_seen_at: DateColumn;
  last_seen_at: DateColumn;
  resolved_at: NullableDate;
}

export interface OmaReconcilerLedgerTable {
  object_type: 'volume' | 'snapshot' | 'vm';
  object_id: string;
  first_seen_at: DateColumn;
  last_seen_at: DateColumn;
  /** Why it is ours, e.g. `ossea_volumes.volume_id of ctx-x`. */
  reason: string;
  adopted: Generated<number>;
  adopted_by: string | null;
}

export interface OmaReconcilerCleanupRequestsTable {
  job_id: string;
  job_kind: 'replication' | 'failover';
  context_id: string | null;
  vm_name: string | null;
  status: Generated<CleanupRequestStatus>;
  message: string | null;
  requested_by: string | null;
  keep_volumes: Generated<number>;
  cancelled: Generated<number>;
  analysis: NullableJson;
  /** Workflow progress, so another leader can resume. */
  journal: NullableJson;
  tracking_job_id: string | null;
  created_at: DefaultedDate;
  updated_at: DefaultedDate;
}

export interface OmaReconcilerInventoryTable {
  source: string;
  count: BigIntColumn;
  observed_at: DateColumn;
}

export interface OmaReconcilerNotificationsTable {
  id: Generated<string>;
  event_id: string;
  receiver: string;
  event: string;
  payload: JsonColumn;
  attempts: Generated<number>;
  next_attempt_at: DefaultedDate;
  claimed_until: NullableDate;
  delivered_at: NullableDate;
  last_error: string | null;
  created_at: DefaultedDate;
}

export interface OmaReconcilerStateTable {
  key: string;
  value: JsonColumn;
  updated_at: DefaultedDate;
}

/** Every table of both migration sets (migration bookkeeping tables excepted). */
export interface DB {
  ossea_configs: OsseaConfigsTable;
  vmware_credentials: VmwareCredentialsTable;
  vm_machine_groups: VmMachineGroupsTable;
  schedule_executions: ScheduleExecutionsTable;
  vm_replication_contexts: VmReplicationContextsTable;
  replication_jobs: ReplicationJobsTable;
  vm_disks: VmDisksTable;
  ossea_volumes: OsseaVolumesTable;
  device_mappings: DeviceMappingsTable;
  nbd_exports: NbdExportsTable;
  vm_export_mappings: VmExportMappingsTable;
  failover_jobs: FailoverJobsTable;
  job_tracking: JobTrackingTable;
  job_steps: JobStepsTable;
  log_events: LogEventsTable;
  volume_operations: VolumeOperationsTable;
  oma_reconciler_actions: OmaReconcilerActionsTable;
  oma_reconciler_drift: OmaReconcilerDriftTable;
  oma_reconciler_ledger: OmaReconcilerLedgerTable;
  oma_reconciler_cleanup_requests: OmaReconcilerCleanupRequestsTable;
  oma_reconciler_inventory: OmaReconcilerInventoryTable;
  oma_reconciler_state: OmaReconcilerStateTable;
  oma_reconciler_notifications: OmaReconcilerNotificationsTable;
}

/**
 * Lists exactly the keys of `Row` (in any order): a missing key fails to compile, an unknown one too.
 * Used so `DB_COLUMNS` cannot silently fall behind the interfaces above.
 */
function columnsOf<Row>() {
  return <const Names extends readonly (keyof Row & string)[]>(
    ...names: Names &
      ([Exclude<keyof Row, Names[number]>] extends [never] ? unknown : { missing: Exclude<keyof Row, Names[number]> })
  ): readonly (keyof Row & string)[] => names;
}

/** Column names of every table of {@link DB}, checked against `information_schema` by a test. */
export const DB_COLUMNS: { readonly [T in keyof DB]: readonly (keyof DB[T] & string)[] } = {
  ossea_configs: columnsOf<OsseaConfigsTable>()(
    'id',
    'name',
    'api_url',
    'api_key',
    'secret_key',
    'domain',
    'zone',
    'template_id',
    'network_id',
    'service_offering_id',
    'disk_offering_id',
    'oma_vm_id',
    'created_at',
    'updated_at',
    'is_active',
  ),
  vmware_credentials: columnsOf<VmwareCredentialsTable>()(
    'id',
    'credential_name',
    'vcenter_host',
    'username',
    'password_encrypted',
    'datacenter',
    'is_active',
    'is_default',
    'created_at',
    'updated_at',
    'created_by',
    'last_used',
    'usage_count',
  ),
  vm_machine_groups: columnsOf<VmMachineGroupsTable>()(
    'id',
    'name',
    'description',
    'schedule_id',
    'max_concurrent_vms',
    'priority',
    'created_at',
    'updated_at',
    'created_by',
  ),
  schedule_executions: columnsOf<ScheduleExecutionsTable>()(
    'id',
    'schedule_id',
    'group_id',
    'scheduled_at',
    'started_at',
    'completed_at',
    'status',
    'created_at',
    'triggered_by',
  ),
  vm_replication_contexts: columnsOf<VmReplicationContextsTable>()(
    'context_id',
    'vm_name',
    'vmware_vm_id',
    'vm_path',
    'vcenter_host',
    'datacenter',
    'current_status',
    'current_job_id',
    'total_jobs_run',
    'successful_jobs',
    'failed_jobs',
    'last_successful_job_id',
    'cpu_count',
    'memory_mb',
    'os_type',
    'power_state',
    'vm_tools_version',
    'created_at',
    'updated_at',
    'first_job_at',
    'last_job_at',
    'last_status_change',
    'auto_added',
    'last_scheduled_job_id',
    'next_scheduled_at',
    'scheduler_enabled',
    'credential_id',
    'ossea_config_id',
    'last_operation_summary',
    'annotations',
  ),
  replication_jobs: columnsOf<ReplicationJobsTable>()(
    'id',
    'vm_context_id',
    'source_vm_id',
    'source_vm_name',
    'source_vm_path',
    'v_center_host',
    'datacenter',
    'replication_type',
    'target_network',
    'status',
    'progress_percent',
    'current_operation',
    'bytes_transferred',
    'total_bytes',
    'transfer_speed_bps',
    'error_message',
    'change_id',
    'previous_change_id',
    'snapshot_id',
    'nbd_port',
    'nbd_export_name',
    'target_device',
    'ossea_config_id',
    'created_at',
    'updated_at',
    'started_at',
    'completed_at',
    'vma_sync_type',
    'vma_current_phase',
    'vma_throughput_mbps',
    'vma_eta_seconds',
    'vma_last_poll_at',
    'vma_error_classification',
    'vma_error_details',
    'setup_progress_percent',
    'schedule_execution_id',
    'scheduled_by',
    'vm_group_id',
    'annotations',
  ),
  vm_disks: columnsOf<VmDisksTable>()(
    'id',
    'vm_context_id',
    'job_id',
    'disk_id',
    'vm_dk_path',
    'size_gb',
    'datastore',
    'unit_number',
    'label',
    'capacity_bytes',
    'provisioning_type',
    'ossea_volume_id',
    'disk_change_id',
    'sync_status',
    'sync_progress_percent',
    'bytes_synced',
    'created_at',
    'updated_at',
    'cpu_count',
    'memory_mb',
    'os_type',
    'vm_tools_version',
    'network_config',
    'display_name',
    'annotation',
    'power_state',
    'vmware_uuid',
    'bios_setup',
  ),
  ossea_volumes: columnsOf<OsseaVolumesTable>()(
    'id',
    'vm_context_id',
    'volume_id',
    'volume_name',
    'size_gb',
    'ossea_config_id',
    'volume_type',
    'device_path',
    'mount_point',
    'status',
    'created_at',
    'updated_at',
    'snapshot_id',
    'snapshot_created_at',
    'snapshot_status',
  ),
  device_mappings: columnsOf<DeviceMappingsTable>()(
    'id',
    'vm_context_id',
    'volume_uuid',
    'volume_id_numeric',
    'vm_id',
    'operation_mode',
    'cloudstack_device_id',
    'requires_device_correlation',
    'device_path',
    'cloudstack_state',
    'linux_state',
    'size',
    'last_sync',
    'created_at',
    'updated_at',
    'ossea_snapshot_id',
    'snapshot_created_at',
    'snapshot_status',
    'persistent_device_name',
    'symlink_path',
  ),
  nbd_exports: columnsOf<NbdExportsTable>()(
    'id',
    'vm_context_id',
    'job_id',
    'volume_id',
    'vm_disk_id',
    'device_mapping_uuid',
    'export_name',
    'port',
    'device_path',
    'config_path',
    'status',
    'created_at',
    'updated_at',
  ),
  vm_export_mappings: columnsOf<VmExportMappingsTable>()(
    'id',
    'vm_id',
    'disk_unit_number',
    'vm_name',
    'export_name',
    'device_path',
    'status',
    'created_at',
    'updated_at',
  ),
  failover_jobs: columnsOf<FailoverJobsTable>()(
    'id',
    'vm_context_id',
    'job_id',
    'vm_id',
    'replication_job_id',
    'job_type',
    'status',
    'source_vm_name',
    'source_vm_spec',
    'destination_vm_id',
    'ossea_snapshot_id',
    'linstor_snapshot_name',
    'linstor_config_id',
    'network_mappings',
    'error_message',
    'created_at',
    'updated_at',
    'started_at',
    'completed_at',
    'annotations',
  ),
  job_tracking: columnsOf<JobTrackingTable>()(
    'id',
    'parent_job_id',
    'job_type',
    'operation',
    'status',
    'cloudstack_job_id',
    'external_job_id',
    'metadata',
    'error_message',
    'started_at',
    'completed_at',
    'created_at',
    'updated_at',
    'percent_complete',
    'canceled_at',
    'owner',
    'context_id',
    'job_category',
  ),
  job_steps: columnsOf<JobStepsTable>()(
    'id',
    'job_id',
    'name',
    'seq',
    'status',
    'started_at',
    'completed_at',
    'error_message',
    'metadata',
  ),
  log_events: columnsOf<LogEventsTable>()(
    'id',
    'job_id',
    'step_id',
    'level',
    'message',
    'attrs',
    'ts',
    'external_job_id',
  ),
  volume_operations: columnsOf<VolumeOperationsTable>()(
    'id',
    'type',
    'status',
    'volume_id',
    'vm_id',
    'request',
    'response',
    'error',
    'created_at',
    'updated_at',
    'completed_at',
  ),
  oma_reconciler_actions: columnsOf<OmaReconcilerActionsTable>()(
    'id',
    'pass_id',
    'drift_id',
    'kind',
    'action',
    'subject_type',
    'subject_id',
    'subject_name',
    'context_id',
    'intent',
    'outcome',
    'error',
    'reversible',
    'undo_data',
    'undo_of',
    'actor',
    'leader_host',
    'created_at',
    'finished_at',
  ),
  oma_reconciler_drift: columnsOf<OmaReconcilerDriftTable>()(
    'drift_id',
    'kind',
    'subject_type',
    'subject_id',
    'subject_name',
    'first_seen_at',
    'last_seen_at',
    'resolved_at',
  ),
  oma_reconciler_ledger: columnsOf<OmaReconcilerLedgerTable>()(
    'object_type',
    'object_id',
    'first_seen_at',
    'last_seen_at',
    'reason',
    'adopted',
    'adopted_by',
  ),
  oma_reconciler_cleanup_requests: columnsOf<OmaReconcilerCleanupRequestsTable>()(
    'job_id',
    'job_kind',
    'context_id',
    'vm_name',
    'status',
    'message',
    'requested_by',
    'keep_volumes',
    'cancelled',
    'analysis',
    'journal',
    'tracking_job_id',
    'created_at',
    'updated_at',
  ),
  oma_reconciler_inventory: columnsOf<OmaReconcilerInventoryTable>()('source', 'count', 'observed_at'),
  oma_reconciler_state: columnsOf<OmaReconcilerStateTable>()('key', 'value', 'updated_at'),
  oma_reconciler_notifications: columnsOf<OmaReconcilerNotificationsTable>()(
    'id',
    'event_id',
    'receiver',
    'event',
    'payload',
    'attempts',
    'next_attempt_at',
    'claimed_until',
    'delivered_at',
    'last_error',
    'created_at',
  ),
};
