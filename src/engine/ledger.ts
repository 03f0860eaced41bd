import type { DatabaseFacts } from '../world/world.js';

/** A CloudStack object the OMA database references now, with why (fed into the ownership ledger). */
export interface LedgerObservation {
  readonly objectType: 'volume' | 'snapshot' | 'vm';
  readonly objectId: string;
  readonly reason: string;
}

/**
 * Every CloudStack id the database references in this pass. The ledger remembers them forever, so a
 * volume whose rows were later deleted (a context removed, a job cascaded away) is still known to be
 * ours — the only safe basis for calling an unreferenced volume an orphan.
 */
export function ledgerObservations(db: DatabaseFacts): LedgerObservation[] {
  const out = new Map<string, LedgerObservation>();
  const add = (objectType: LedgerObservation['objectType'], objectId: string | null, reason: string): void => {
    if (!objectId) return;
    const key = `${objectType}:${objectId}`;
    if (!out.has(key)) out.set(key, { objectType, objectId, reason });
  };
  for (const v of db.osseaVolumes) {
    add('volume', v.volumeId, `ossea_volumes.volume_id of ${v.vmContextId}`);
    add('snapshot', v.snapshotId, `ossea_volumes.snapshot_id of ${v.vmContextId}`);
  }
  for (const m of db.deviceMappings) {
    add('volume', m.volumeUuid, `device_mappings.volume_uuid of ${m.vmContextId ?? 'no context'}`);
  }
  for (const e of db.nbdExports) add('volume', e.volumeId, `nbd_exports.volume_id of ${e.vmContextId}`);
  for (const f of db.failoverJobs) {
    add('snapshot', f.osseaSnapshotId, `failover_jobs.ossea_snapshot_id of ${f.jobId}`);
    if (f.jobType === 'test') {
      add('vm', f.destinationVmId, `failover_jobs.destination_vm_id of test failover ${f.jobId}`);
    }
  }
  return [...out.values()];
}
