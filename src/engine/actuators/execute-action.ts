import { coerceError } from '../../errors.js';
import { writeCleanupStatus } from '../store/cleanup-requests.js';
import type { GatedAction, GatedDrift } from '../../reconcile/types.js';
import { fail, ok, type ActuatorContext, type ActuatorResult } from './actuator-context.js';
import {
  attachVolumeToOma,
  deleteSnapshot,
  deleteVolume,
  destroyTestVm,
  quarantineVolume,
} from './cloudstack-actuators.js';
import {
  clearCurrentJob,
  createDeviceMapping,
  deleteDeviceMapping,
  deleteRow,
  failVolumeOperation,
  markReplicationJobFailed,
  updateDeviceMapping,
} from './db-actuators.js';
import { addNbdExport, removeNbdExport, restartNbdServer } from './nbd-actuators.js';

/**
 * Executes one gated action with its actuator. Never throws: an error becomes a failed result, so a
 * failure on one item never stops the others.
 */
export async function executeAction(
  action: GatedAction,
  item: GatedDrift,
  ctx: ActuatorContext,
): Promise<ActuatorResult> {
  try {
    switch (action.action) {
      case 'quarantine-volume':
        return await quarantineVolume(action, item, ctx);
      case 'delete-volume':
        return await deleteVolume(action, item, ctx);
      case 'delete-snapshot':
        return await deleteSnapshot(action, item, ctx);
      case 'attach-volume-to-oma':
        return await attachVolumeToOma(action, item, ctx);
      case 'destroy-test-vm':
        return await destroyTestVm(action, item, ctx);
      case 'add-nbd-export':
        return await addNbdExport(action, item, ctx);
      case 'remove-nbd-export':
        return await removeNbdExport(action, item, ctx);
      case 'restart-nbd-server':
        return await restartNbdServer(action, item, ctx);
      case 'delete-device-mapping':
        return await deleteDeviceMapping(action, item, ctx);
      case 'create-device-mapping':
        return await createDeviceMapping(action, item, ctx);
      case 'update-device-mapping':
        return await updateDeviceMapping(action, item, ctx);
      case 'delete-row':
        return await deleteRow(action, item, ctx);
      case 'fail-volume-operation':
        return await failVolumeOperation(action, item, ctx);
      case 'mark-replication-job-failed':
        return await markReplicationJobFailed(action, item, ctx);
      case 'clear-current-job':
        return await clearCurrentJob(action, item, ctx);
      case 'run-failed-execution-cleanup':
        return await ctx.workflows.runFailedExecutionCleanup(action.params, ctx);
      case 'run-replication-job-cleanup':
        return await ctx.workflows.runReplicationJobCleanup(action.params, ctx);
      case 'refuse-cleanup-request': {
        const { jobId, table, reason } = action.params;
        await writeCleanupStatus(
          ctx.db,
          {
            jobId,
            jobKind: table === 'replication_jobs' ? 'replication' : 'failover',
            status: 'refused',
            message: reason,
            contextId: item.contextId,
          },
          ctx.clock(),
        );
        return ok(`refused the cleanup request of ${jobId}: ${reason}`);
      }
    }
  } catch (e) {
    return fail(coerceError(e).message);
  }
}
