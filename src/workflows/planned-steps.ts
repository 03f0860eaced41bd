/**
 * What a cleanup will do, as sentences: for the status page's confirmation modal and `explain`.
 * Without an analysis the steps are described in general; with one (recorded by a run, or a preview
 * from a world snapshot) they name the VM, volumes, snapshots and exports involved.
 */
import { failoverAnalysisSchema, type FailoverAnalysis } from './failed-execution/failover-analysis.js';
import { replicationAnalysisSchema, type ReplicationAnalysis } from './replication-job/replication-analysis.js';
import type { WorkflowKind } from './workflow-options.js';

/** An analysis of either workflow. */
export type WorkflowAnalysis = FailoverAnalysis | ReplicationAnalysis;

/** The analysis in a request record's `analysis` JSON, or null when it is not one. */
export function parseWorkflowAnalysis(value: unknown): WorkflowAnalysis | null {
  const f = failoverAnalysisSchema.safeParse(value);
  if (f.success) return f.data;
  const r = replicationAnalysisSchema.safeParse(value);
  return r.success ? r.data : null;
}

const GENERIC: Readonly<Record<WorkflowKind, readonly string[]>> = {
  'failed-execution-cleanup': [
    'Analyse the failover: its volumes and where CloudStack says they are attached, the test VM, the snapshots it took',
    'Stop the test VM if it runs (gracefully, forced after a timeout)',
    'Detach every volume of the VM from any VM that is not the OMA (and from the OMA where a snapshot must be reverted)',
    'Revert each volume to the snapshot the failover took',
    'Delete each snapshot only after its revert succeeded; a failed revert keeps the snapshot, stops the cleanup and marks the VM cleanup_required',
    'Destroy (expunge) the test VM once none of the volumes is attached to it, and its template ROOT volume if it survives',
    'Reattach every volume to the OMA, wait for its by-id link, restore its device mapping and NBD export (one nbd-server reload)',
    'Mark the failover failed, end its job, clear the snapshot tracking, set the VM ready_for_failover with no current job',
    'Validate the VM against the desired state and report what does not hold',
  ],
  'replication-job-cleanup': [
    'Analyse everything the job owns: disks, volumes, NBD exports, device mappings, failover references',
    'Remove the NBD exports of its volumes (backups kept, one nbd-server reload)',
    'Detach and delete its volumes, unless keep-volumes is set or an earlier job of the VM completed (then they hold its good replica and are kept)',
    'Delete the job with its disk and export rows, null failover references, clear current_job_id, recompute the VM status',
    'Validate that no orphan row, export, mapping or volume of the job remains',
  ],
};

function failoverSteps(a: FailoverAnalysis): string[] {
  // A live failover's VM carries the production name: call it what it is.
  const role = a.failover.type === 'live' ? 'failover VM' : 'test VM';
  const vmText = (v: FailoverAnalysis['testVms'][number]) => `${role} ${v.name} (${v.id})`;
  const reverts = a.volumes.filter((v) => v.revertTo !== null);
  const steps = [
    `Analyse failover ${a.failover.jobId} of ${a.vmName} (${a.failover.type}, ${a.failover.status}${a.failover.trackingStep ? `, stopped in ${a.failover.trackingStep}` : ''})`,
  ];
  steps.push(
    ...a.volumes.filter((v) => v.problem !== null).map((v) => `Stop before any change: ${v.name}: ${v.problem ?? ''}`),
  );
  steps.push(
    ...(a.testVms.length === 0
      ? [`No ${role} to stop`]
      : a.testVms.map((v) => `Stop ${vmText(v)}, now ${v.state}: gracefully, forced after a timeout`)),
  );
  const detach = a.volumes.filter(
    (v) => (v.attachedTo !== null && v.attachedRole !== 'oma') || (v.attachedRole === 'oma' && v.revertTo !== null),
  );
  steps.push(
    ...(detach.length === 0
      ? ['No volume to detach']
      : detach.map(
          (v) =>
            `Detach volume ${v.name} from ${v.attachedRole === 'oma' ? 'the OMA (so it can be reverted)' : `VM ${v.attachedTo ?? ''}`}`,
        )),
  );
  steps.push(
    ...(reverts.length === 0
      ? ['No snapshot to revert']
      : reverts.map((v) => `Revert volume ${v.name} to snapshot ${v.revertTo?.id ?? ''} (${v.revertTo?.name ?? ''})`)),
  );
  steps.push(
    ...reverts.map(
      (v) =>
        `Delete snapshot${v.deleteAfterRevert.length > 1 ? 's' : ''} ${v.deleteAfterRevert.join(', ')} of ${v.name} only after its revert succeeded (a failed revert keeps it and marks the VM cleanup_required)`,
    ),
  );
  steps.push(
    ...a.testVms.map(
      (v) =>
        `Destroy (expunge) ${vmText(v)} once none of the volumes is attached to it${v.rootVolumeIds.length > 0 ? `, then delete its template ROOT volume ${v.rootVolumeIds.join(', ')} if it survives` : ''}`,
    ),
  );
  steps.push(
    `Reattach ${a.volumes.length} volumes to the OMA VM ${a.omaVmId ?? '(unknown)'}, wait for their by-id links, restore their oma device mappings and NBD exports (one nbd-server reload)`,
  );
  steps.push(
    `Mark failover ${a.failover.jobId} failed, end its job_tracking row, clear the snapshot tracking, set ${a.vmName} ready_for_failover with no current job`,
  );
  steps.push(`Validate ${a.vmName} against the desired state and report what does not hold`);
  return [...steps, ...a.warnings.map((w) => `Note: ${w}`)];
}

function replicationSteps(a: ReplicationAnalysis): string[] {
  const steps = [
    `Analyse replication job ${a.jobId} (${a.replicationType}, ${a.jobStatus}) of ${a.vmName ?? a.contextId}`,
  ];
  const removed = a.exports.filter((e) => !e.keep);
  steps.push(
    ...(removed.length === 0
      ? ['No NBD export to remove']
      : removed.map((e) => `Remove NBD export ${e.name} (backup kept; one nbd-server reload)`)),
  );
  steps.push(...a.exports.filter((e) => e.keep).map((e) => `Keep NBD export ${e.name}: its volume stays on the OMA`));
  if (a.deleteVolumes) {
    steps.push(
      ...a.volumes.map(
        (v) =>
          `Detach volume ${v.name} (${v.volumeId})${v.attachedRole === 'oma' ? ' from the OMA' : ''} and delete it`,
      ),
    );
  } else steps.push(`Keep ${a.volumes.length} volumes: ${a.keepReason ?? ''}`);
  steps.push(
    `Delete job ${a.jobId} with ${a.rows.vmDisks} disk rows and ${a.rows.nbdExports} export rows, null ${a.rows.failoverJobs} failover references${a.deleteVolumes ? `, delete the rows of ${a.volumes.length} volumes` : ''}, clear current_job_id${a.recomputedStatus ? `, set the VM ${a.recomputedStatus}` : ''}`,
  );
  steps.push('Validate that no orphan row, export, mapping or volume of the job remains');
  return [...steps, ...a.warnings.map((w) => `Note: ${w}`)];
}

/**
 * The steps a cleanup of `kind` performs, as human sentences; exact for the VM when an analysis of
 * that kind is given. Pure.
 */
export function plannedSteps(kind: WorkflowKind, analysis?: WorkflowAnalysis | null): string[] {
  if (analysis?.kind === 'failed-execution-cleanup' && kind === 'failed-execution-cleanup') {
    return failoverSteps(analysis);
  }
  if (analysis?.kind === 'replication-job-cleanup' && kind === 'replication-job-cleanup') {
    return replicationSteps(analysis);
  }
  return [...GENERIC[kind]];
}
