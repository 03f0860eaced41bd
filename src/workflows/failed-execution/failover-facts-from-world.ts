import type { World } from '../../world/world.js';
import type { FailoverFacts } from './analyse-failover.js';

/**
 * The analysis facts of one failover taken from a world snapshot (no I/O), so `explain` and the
 * status page can show what a cleanup would do. Null when the world does not hold the failover.
 */
export function failoverFactsFromWorld(world: World, failoverJobId: string): FailoverFacts | null {
  const db = world.database;
  const failover = db.failoverJobs.find((f) => f.jobId === failoverJobId);
  const context = failover ? db.contexts.find((c) => c.contextId === failover.vmContextId) : undefined;
  if (!failover || !context) return null;
  const osseaVolumes = db.osseaVolumes.filter((v) => v.vmContextId === context.contextId);
  const volumeIds = new Set(osseaVolumes.map((v) => v.volumeId));
  const tracking = db.jobTracking.find((t) => t.id === failover.jobId);
  return {
    omaVmId: world.omaVmId,
    context,
    failover,
    tracking: tracking ? { status: tracking.status, currentStep: tracking.currentStep } : null,
    otherDestinations: db.failoverJobs
      .filter((f) => f.vmContextId === context.contextId && f.jobId !== failover.jobId && f.destinationVmId !== null)
      .map((f) => f.destinationVmId ?? ''),
    osseaVolumes,
    csVolumes: world.cloudstack.volumes,
    csSnapshots: world.cloudstack.snapshots.filter((s) => volumeIds.has(s.volumeId)),
    csVms: world.cloudstack.virtualMachines,
  };
}
