/**
 * Actuators that change `migratekit_oma` rows. Every UPDATE/DELETE carries the precondition it was
 * planned on in its WHERE clause, so a row that changed since the observation is left alone.
 */
import { findVolume } from '../../cloudstack/find-objects.js';
import { fail, ok, type Actuator } from './actuator-context.js';

export const deleteDeviceMapping: Actuator<'delete-device-mapping'> = async (action, _item, ctx) => {
  const { id, volumeUuid } = action.params;
  const row = await ctx.db
    .selectFrom('device_mappings')
    .selectAll()
    .where('id', '=', id)
    .where('volume_uuid', '=', volumeUuid)
    .executeTakeFirst();
  if (!row) return ok(`device mapping of volume ${volumeUuid} is already gone`);
  // The world may be a pass old: a move of this pass (an attach writes its mapping) can have made
  // the row right again. CloudStack decides; a row that matches its attachment stays.
  if (ctx.cloudstack !== null) {
    const live = await findVolume(ctx.cloudstack, volumeUuid, ctx.signal);
    if (live?.virtualMachineId === row.vm_id) {
      return ok(`device mapping of volume ${volumeUuid} matches CloudStack again (attached to ${row.vm_id}): kept`);
    }
  }
  await ctx.db.deleteFrom('device_mappings').where('id', '=', id).execute();
  return ok(`deleted the stale device mapping of volume ${volumeUuid} (vm ${row.vm_id}, ${row.device_path})`, {
    table: 'device_mappings',
    row,
  });
};

export const createDeviceMapping: Actuator<'create-device-mapping'> = async (action, _item, ctx) => {
  const p = action.params;
  const existing = await ctx.db
    .selectFrom('device_mappings')
    .select(['id', 'vm_id'])
    .where('volume_uuid', '=', p.volumeUuid)
    .executeTakeFirst();
  if (existing) {
    return existing.vm_id === p.vmId
      ? ok(`device mapping of volume ${p.volumeUuid} already exists`)
      : fail(`volume ${p.volumeUuid} has a mapping to ${existing.vm_id}`, true);
  }
  const oma = p.operationMode === 'oma';
  await ctx.db
    .insertInto('device_mappings')
    .values({
      vm_context_id: p.contextId,
      volume_uuid: p.volumeUuid,
      vm_id: p.vmId,
      operation_mode: p.operationMode,
      cloudstack_device_id: null,
      requires_device_correlation: oma ? 1 : 0,
      device_path: p.devicePath,
      cloudstack_state: 'attached',
      linux_state: oma ? 'detected' : 'n/a',
      size: 0,
      last_sync: ctx.clock(),
      created_at: ctx.clock(),
      updated_at: ctx.clock(),
    })
    .execute();
  return ok(`created the ${p.operationMode} device mapping of volume ${p.volumeUuid} → ${p.devicePath}`);
};

export const updateDeviceMapping: Actuator<'update-device-mapping'> = async (action, _item, ctx) => {
  const p = action.params;
  const before = await ctx.db.selectFrom('device_mappings').selectAll().where('id', '=', p.id).executeTakeFirst();
  if (!before) return fail(`device mapping ${p.id} of volume ${p.volumeUuid} no longer exists`);
  if (before.vm_id === p.vmId && before.device_path === p.devicePath && before.operation_mode === p.operationMode) {
    return ok(`device mapping of volume ${p.volumeUuid} is already correct`);
  }
  await ctx.db
    .updateTable('device_mappings')
    .set({
      vm_id: p.vmId,
      device_path: p.devicePath,
      operation_mode: p.operationMode,
      linux_state: p.operationMode === 'oma' ? 'detected' : 'n/a',
      last_sync: ctx.clock(),
      updated_at: ctx.clock(),
    })
    .where('id', '=', p.id)
    .execute();
  return ok(`set the device mapping of volume ${p.volumeUuid} to ${p.operationMode} on ${p.vmId} (${p.devicePath})`, {
    table: 'device_mappings',
    row: before,
  });
};

export const deleteRow: Actuator<'delete-row'> = async (action, _item, ctx) => {
  const { table, id } = action.params;
  const row = await ctx.db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return ok(`${table} row ${id} is already gone`);
  await ctx.db.deleteFrom(table).where('id', '=', id).execute();
  return ok(`deleted ${table} row ${id}`, { table, row });
};

export const failVolumeOperation: Actuator<'fail-volume-operation'> = async (action, item, ctx) => {
  const { id } = action.params;
  // The reconciler's evidence says why: stale past the limit, or its writer's session ended.
  const why = item.evidence.find((e) => e.source === 'database')?.fact ?? 'no progress';
  const result = await ctx.db
    .updateTable('volume_operations')
    .set({
      status: 'failed',
      error: `marked failed by oma-reconciler: ${why}`.slice(0, 60_000),
      completed_at: ctx.clock(),
    })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'executing'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0
    ? ok(`marked volume operation ${id} failed`)
    : ok(`volume operation ${id} is no longer pending`);
};

export const markReplicationJobFailed: Actuator<'mark-replication-job-failed'> = async (action, _item, ctx) => {
  const { jobId, fromStatus, reason } = action.params;
  const result = await ctx.db
    .updateTable('replication_jobs')
    .set({
      status: 'failed',
      error_message: reason,
      vma_error_classification: 'stuck_setup',
      completed_at: ctx.clock(),
      updated_at: ctx.clock(),
    })
    .where('id', '=', jobId)
    .where('status', '=', fromStatus)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0
    ? ok(`marked replication job ${jobId} failed (was ${fromStatus})`)
    : ok(`replication job ${jobId} is no longer ${fromStatus}: left as it is`);
};

export const clearCurrentJob: Actuator<'clear-current-job'> = async (action, _item, ctx) => {
  const { contextId, jobId } = action.params;
  const job = await ctx.db.selectFrom('replication_jobs').select('status').where('id', '=', jobId).executeTakeFirst();
  // Recompute the context status the way the appliance does after a job ends.
  const status = job?.status === 'completed' ? 'ready_for_failover' : job?.status === 'failed' ? 'failed' : undefined;
  const result = await ctx.db
    .updateTable('vm_replication_contexts')
    .set({ current_job_id: null, updated_at: ctx.clock() })
    .where('context_id', '=', contextId)
    .where('current_job_id', '=', jobId)
    .executeTakeFirst();
  if (status && Number(result.numUpdatedRows) > 0) {
    await ctx.db
      .updateTable('vm_replication_contexts')
      .set({ current_status: status, last_status_change: ctx.clock() })
      .where('context_id', '=', contextId)
      .where('current_status', '=', 'replicating')
      .execute();
  }
  return Number(result.numUpdatedRows) > 0
    ? ok(`cleared current_job_id ${jobId} of context ${contextId}`)
    : ok(`context ${contextId} no longer points at job ${jobId}`);
};
