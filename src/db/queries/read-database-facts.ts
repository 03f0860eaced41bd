import type { Kysely } from 'kysely';
import type { DB } from '../schema-types.js';
import type { DatabaseFacts } from '../../world/world.js';
import { createStringPool } from '../../string-pool.js';
import { readOmaVmId } from './read-ossea-config.js';
import { readContexts, readReplicationJobs, readVmDisks } from './read-replication-rows.js';
import { readDeviceMappings, readNbdExports, readOsseaVolumes, readVmExportMappings } from './read-storage-rows.js';
import { readFailoverJobs, readOpenVolumeOperations } from './read-failover-rows.js';
import { readJobTracking } from './read-job-tracking.js';
import { readCleanupRequests, readDriftFirstSeen, readLedger } from './read-reconciler-rows.js';

/** Number of SELECT statements one {@link readDatabaseFacts} issues, whatever the database size (plus BEGIN/COMMIT). */
export const DATABASE_FACTS_STATEMENTS = 14;

/**
 * What the database says, in the shape of the world: one set-based SELECT per table (never one per
 * row), all inside one read-only REPEATABLE READ transaction so every table is read from the same
 * snapshot — a job deleted between two reads cannot make its disks look orphaned. Times become ISO
 * strings, `annotations` keep their string values only. Secrets are not read (see `readOsseaConfig`).
 */
export async function readDatabaseFacts(db: Kysely<DB>): Promise<DatabaseFacts> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      // One connection: the statements run one after another on the snapshot. Values that repeat
      // across rows and tables (ids, paths, statuses) are kept once (string-pool.ts).
      const s = createStringPool();
      const omaVmId = await readOmaVmId(trx);
      const contexts = await readContexts(trx, s);
      const replicationJobs = await readReplicationJobs(trx, s);
      const vmDisks = await readVmDisks(trx, s);
      const osseaVolumes = await readOsseaVolumes(trx, s);
      const deviceMappings = await readDeviceMappings(trx, s);
      const nbdExports = await readNbdExports(trx, s);
      const vmExportMappings = await readVmExportMappings(trx);
      const failoverJobs = await readFailoverJobs(trx, s);
      const jobTracking = await readJobTracking(trx, s);
      const volumeOperations = await readOpenVolumeOperations(trx);
      const ledger = await readLedger(trx, s);
      const driftFirstSeen = await readDriftFirstSeen(trx);
      const cleanupRequests = await readCleanupRequests(trx);
      return {
        omaVmId,
        contexts,
        replicationJobs,
        vmDisks,
        osseaVolumes,
        deviceMappings,
        nbdExports,
        vmExportMappings,
        failoverJobs,
        jobTracking,
        volumeOperations,
        ledger,
        driftFirstSeen,
        cleanupRequests,
      };
    });
}
