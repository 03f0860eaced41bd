import type { Migration } from 'kysely';
import { createOsseaConfigs } from './0001-create-ossea-configs.js';
import { createVmwareCredentials } from './0002-create-vmware-credentials.js';
import { createVmMachineGroups } from './0003-create-vm-machine-groups.js';
import { createScheduleExecutions } from './0004-create-schedule-executions.js';
import { createVmReplicationContexts } from './0005-create-vm-replication-contexts.js';
import { createReplicationJobs } from './0006-create-replication-jobs.js';
import { addVmContextJobFks } from './0007-add-vm-context-job-fks.js';
import { createVmDisks } from './0008-create-vm-disks.js';
import { createOsseaVolumes } from './0009-create-ossea-volumes.js';
import { createDeviceMappings } from './0010-create-device-mappings.js';
import { createNbdExports } from './0011-create-nbd-exports.js';
import { createVmExportMappings } from './0012-create-vm-export-mappings.js';
import { createFailoverJobs } from './0013-create-failover-jobs.js';
import { createJobTracking } from './0014-create-job-tracking.js';
import { createJobSteps } from './0015-create-job-steps.js';
import { createLogEvents } from './0016-create-log-events.js';
import { createVolumeOperations } from './0017-create-volume-operations.js';

/**
 * Migrations that reproduce the appliance's `migratekit_oma` tables for tests, the demo and the
 * benchmark. NEVER applied to production: a real appliance already has these tables (they come
 * from its own `production-schema.sql`); `oma-reconciler migrate` applies only `schema/reconciler`.
 *
 * Source of truth: the mysqldump of a live OMA (`deployment/sha-appliance/database/production-schema.sql`
 * of the MigrateKit/Sendense repository, MariaDB 10.11): same column names, types, defaults, keys,
 * FKs and ON DELETE rules. Deliberate differences:
 * - `vmware_credentials`, `vm_machine_groups` and `schedule_executions` exist only so that the FKs
 *   of contexts and jobs exist with their real rules; the two scheduler tables are cut down to a few
 *   columns and lose their own FKs to `replication_schedules`, which is not reproduced.
 * - Other appliance tables (cbt_history, network_mappings, scheduler, VMA enrollment, views) are absent.
 * - No column/table comments.
 * One table (one DDL statement) per migration because MariaDB DDL auto-commits; each is re-runnable.
 * Names sort in apply order (Kysely applies them alphabetically).
 */
export const omaMigrations: Record<string, Migration> = {
  '0001-create-ossea-configs': createOsseaConfigs,
  '0002-create-vmware-credentials': createVmwareCredentials,
  '0003-create-vm-machine-groups': createVmMachineGroups,
  '0004-create-schedule-executions': createScheduleExecutions,
  '0005-create-vm-replication-contexts': createVmReplicationContexts,
  '0006-create-replication-jobs': createReplicationJobs,
  '0007-add-vm-context-job-fks': addVmContextJobFks,
  '0008-create-vm-disks': createVmDisks,
  '0009-create-ossea-volumes': createOsseaVolumes,
  '0010-create-device-mappings': createDeviceMappings,
  '0011-create-nbd-exports': createNbdExports,
  '0012-create-vm-export-mappings': createVmExportMappings,
  '0013-create-failover-jobs': createFailoverJobs,
  '0014-create-job-tracking': createJobTracking,
  '0015-create-job-steps': createJobSteps,
  '0016-create-log-events': createLogEvents,
  '0017-create-volume-operations': createVolumeOperations,
};
