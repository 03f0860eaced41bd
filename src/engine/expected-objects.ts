/**
 * The CloudStack objects the database expects to exist now, by kind: what a listing that lacks one
 * must be checked against by id (issue 15, 6.1) before a reconciler builds on its absence.
 *
 * Only references that are live on a healthy appliance belong here — a reference the appliance
 * keeps after the object is gone by design would cost a lookup on every pass for ever (the
 * benchmark asserts a healthy pass sends only its listing pages). So: not the ledger (history), not
 * the destination VM of a finished failover (a rolled-back test VM is destroyed, its row stays), not
 * `failover_jobs.ossea_snapshot_id` (legacy; nothing concludes from its absence).
 */
import { TERMINAL_FAILOVER_STATUSES } from '../../reconcilers/lib/failover-state.js';
import type { ExpectedObjects } from '../cloudstack/confirm-absence.js';
import type { DatabaseFacts } from '../world/world.js';

const present = (id: string | null): id is string => id !== null && id !== '';

/** Ids the database expects CloudStack to list; `omaVmId` is the OMA VM id in force. */
export function expectedObjects(db: DatabaseFacts, omaVmId: string | null): ExpectedObjects {
  return {
    volumes: [
      ...db.osseaVolumes.map((v) => v.volumeId),
      ...db.deviceMappings.map((m) => m.volumeUuid),
      ...db.nbdExports.map((e) => e.volumeId),
    ],
    // A tracked rollback point: "no longer exists, cannot be rolled back" is built on its absence.
    snapshots: db.osseaVolumes.map((v) => v.snapshotId).filter(present),
    // The OMA VM (every "attached to the OMA" judgement), the VMs mappings name, and the VM of a
    // failover still under way (its cleanup preview says "no longer exists" when it is not listed).
    virtualMachines: [
      omaVmId,
      ...db.deviceMappings.map((m) => m.vmId),
      ...db.failoverJobs.filter((f) => !TERMINAL_FAILOVER_STATUSES.includes(f.status)).map((f) => f.destinationVmId),
    ].filter(present),
  };
}
