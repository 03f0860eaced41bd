import { analyseFailover } from '../../workflows/failed-execution/analyse-failover.js';
import { plannedSteps } from '../../workflows/index.js';
import type { FailoverJobRow, World } from '../../world/world.js';

/**
 * The steps the failed-execution cleanup would run for one failover, previewed from the last
 * pass's world with the workflow's own analysis — what the confirmation modal lists. Falls back
 * to the general description when the context is gone.
 */
export function failoverCleanupPreview(world: World, job: FailoverJobRow, now: Date): string[] {
  const context = world.database.contexts.find((c) => c.contextId === job.vmContextId);
  if (!context) return plannedSteps('failed-execution-cleanup');
  const tracking = world.database.jobTracking.find((t) => t.id === job.jobId) ?? null;
  const analysis = analyseFailover(
    {
      omaVmId: world.omaVmId,
      context,
      failover: job,
      tracking: tracking && { status: tracking.status, currentStep: tracking.currentStep },
      otherDestinations: world.database.failoverJobs
        .filter((f) => f.vmContextId === job.vmContextId && f.jobId !== job.jobId && f.destinationVmId !== null)
        .map((f) => f.destinationVmId ?? ''),
      osseaVolumes: world.database.osseaVolumes.filter((v) => v.vmContextId === job.vmContextId),
      csVolumes: world.cloudstack.volumes,
      csSnapshots: world.cloudstack.snapshots,
      csVms: world.cloudstack.virtualMachines,
    },
    now,
  );
  return plannedSteps('failed-execution-cleanup', analysis);
}
