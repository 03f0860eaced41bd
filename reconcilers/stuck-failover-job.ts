/**
 * stuck-failover-job — a failover whose engine gave up or died: the unified engine never marks
 * `failover_jobs` failed, so the row stays `pending` for ever, replication deletes answer 409 and
 * rollback cannot find its VM (incident 6); a hung virt-v2v leaves it `running` (incident 7).
 *
 * Desired/actual: `failover_jobs` (non-terminal) against its `job_tracking` row (same id) and the
 * newest step/log activity, with `stuckFailoverSeconds` (`stuckVirtioSeconds` while the step is
 * `virtio-driver-injection`) — database only.
 *
 * Actions: a TEST failover whose tracking row failed, or that shows no activity past the threshold →
 * `run-failed-execution-cleanup` (detach, revert+delete snapshots, reattach to the OMA, reset states;
 * destructive). A LIVE failover is never recovered automatically (the VM is production): report only,
 * with how to request it. Inconsistent rows (tracking completed, no tracking row) are reported only,
 * and so is a failover whose volumes are still held on the OMA (virt-v2v, a mount — incident 7).
 * Safety rails: paused, budget, sanity; the in-flight gate lets this workflow through.
 */
import type { DriftItem, Policy } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { World } from '../src/world/world.js';
import { deviceUsers } from './lib/device-use.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { failoverState } from './lib/failover-state.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';

function diff(world: World, policy: Policy, now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  if (!world.sources.database.complete) return [];
  const items: DriftItem[] = [];
  for (const job of world.database.failoverJobs) {
    const tracking = idx.jobTracking.get(job.jobId);
    const s = failoverState(job, tracking, policy, now);
    if (s.state !== 'stuck') continue;
    const ctx = idx.contexts.get(job.vmContextId);
    const vmName = ctx?.vmName ?? job.sourceVmName;
    // A device of the context still held on the OMA (virt-v2v, a mount) means the failover may still be working.
    const users = (idx.osseaVolumesByContext.get(job.vmContextId) ?? []).flatMap((v) =>
      deviceUsers(idx, v.volumeId, { ignoreNbdServer: true }).map((u) => `${v.volumeId}: ${u}`),
    );
    const automatic = s.recoverable && job.jobType === 'test' && users.length === 0;
    const note =
      job.jobType === 'live'
        ? `a live failover is never recovered automatically (the VM may be in production); after checking it, request it: oma-reconciler cleanup request ${job.jobId}`
        : users.length > 0
          ? `report only: devices of the context are still in use on the OMA (${users.join('; ')}); the failover may still be working`
          : s.recoverable
            ? null
            : `report only (${s.detail}); request a cleanup if the failover is really dead: oma-reconciler cleanup request ${job.jobId}`;
    items.push(
      makeDrift({
        kind: 'stuck-failover-job',
        class: 'stuck',
        subject: { type: 'failover-job', id: job.jobId, name: job.sourceVmName },
        contextId: job.vmContextId,
        evidence: [
          fact(
            'database',
            `${job.jobType} failover_jobs row ${job.id} is ${job.status} since ${job.updatedAt}${job.destinationVmId ? `, destination VM ${job.destinationVmId}` : ', no destination VM'}`,
          ),
          fact('database', s.detail),
          ...(ctx ? [fact('database', `context ${ctx.contextId} is ${ctx.currentStatus}`)] : []),
          ...users.map((u) => fact('devices', `in use: ${u}`)),
        ],
        actions: automatic
          ? [
              {
                action: 'run-failed-execution-cleanup',
                params: { contextId: job.vmContextId, failoverJobId: job.jobId, vmName },
                destructive: true,
              },
            ]
          : [],
        note,
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "runs the failed-execution cleanup for the context by VM name…": test failover fj-1 of ctx-web
 * // is `pending` while job_tracking fj-1 is `failed`
 * stuckFailoverJob.diff(world, policy, now)
 * // → [{ id: 'stuck-failover-job:failover-job:fj-1', class: 'stuck', actions: [{ action: 'run-failed-execution-cleanup',
 * //      params: { contextId: 'ctx-web', failoverJobId: 'fj-1', vmName: 'web' }, destructive: true }] }]
 */
export const stuckFailoverJob: Reconciler = { kind: 'stuck-failover-job', needs: ['database'], diff };
