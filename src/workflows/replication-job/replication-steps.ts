/** The steps of the replication-job cleanup before its database phase: analysis, exports, volumes. */
import { findVolume } from '../../cloudstack/find-objects.js';
import { removeExportNamed } from '../../volume-ops/bookkeeping.js';
import type { WorkflowStep } from '../run-steps.js';
import { WorkflowRefusedError, WorkflowStopError } from '../workflow-errors.js';
import type { WorkflowRun } from '../workflow-run.js';
import { analyseReplicationJob } from './analyse-replication-job.js';
import { replicationAnalysisSchema, type ReplicationAnalysis } from './replication-analysis.js';
import { readReplicationFacts } from './replication-facts.js';

/** The analysis recorded by the first step. */
export function replicationAnalysisOf(run: WorkflowRun): ReplicationAnalysis {
  const analysis = run.data<ReplicationAnalysis | null>('analysis', replicationAnalysisSchema, null);
  if (!analysis) throw new Error('the journal holds no analysis of the replication job');
  return analysis;
}

/** Builds the analysis step for a request (keep-volumes comes from the request). */
export function analyseJobStep(keepVolumes: boolean): WorkflowStep {
  return {
    name: 'analyze-replication-job',
    title: 'analyse everything the job owns',
    async run(run) {
      const facts = await readReplicationFacts(
        run.db,
        run.cloudstack(),
        run.subject.jobId,
        keepVolumes,
        run.ctx.omaVmId,
        run.ctx.signal,
      );
      if (!facts) throw new WorkflowRefusedError(`replication job ${run.subject.jobId} no longer exists`);
      const analysis = analyseReplicationJob(facts, run.now());
      run.setData('analysis', analysis);
      await run.persist('running', 'analysed the replication job', { analysis });
      // A volume to delete that another VM holds is not ours to detach (a failover or an operator put it there).
      const held = analysis.deleteVolumes ? analysis.volumes.filter((v) => v.attachedRole === 'other') : [];
      if (held.length > 0) {
        throw new WorkflowStopError(
          held
            .map((v) => `volume ${v.volumeId} is attached to VM ${v.attachedTo ?? ''}, not the OMA: not deleted`)
            .join('; '),
        );
      }
      const fate = analysis.deleteVolumes ? 'to delete' : `kept (${analysis.keepReason ?? ''})`;
      return `${analysis.volumes.length} volumes ${fate}; ${analysis.exports.filter((e) => !e.keep).length} exports to remove; ${analysis.rows.vmDisks} disk rows, ${analysis.rows.nbdExports} export rows, ${analysis.rows.failoverJobs} failover references`;
    },
  };
}

/** Step 2: removes the exports that go with the job (the export manager keeps a backup; one reload at the end of the pass). */
export const removeExportsStep: WorkflowStep = {
  name: 'nbd-export-removal',
  title: 'remove the NBD exports of its volumes (backups kept, one reload)',
  async run(run) {
    const removed: string[] = [];
    for (const e of replicationAnalysisOf(run).exports) {
      if (e.keep) continue;
      removed.push(await removeExportNamed(run.ctx, e.name));
      run.ctx.nbdTouched.value = true;
    }
    return removed.length === 0 ? 'no export to remove' : removed.join('; ');
  },
};

/** Step 3: detaches (device idle first) and deletes the job's volumes, or keeps them and says why. */
export const cleanupVolumesStep: WorkflowStep = {
  name: 'volume-cleanup',
  title: 'detach and delete its volumes (unless they are kept)',
  async run(run) {
    const analysis = replicationAnalysisOf(run);
    if (!analysis.deleteVolumes) return `kept ${analysis.volumes.length} volumes: ${analysis.keepReason ?? ''}`;
    const cs = run.cloudstack();
    const signal = run.ctx.signal;
    const oma = run.omaVmId();
    let deleted = 0;
    let gone = 0;
    for (const v of analysis.volumes) {
      const live = await findVolume(cs, v.volumeId, signal);
      if (!live) {
        gone++;
        continue;
      }
      if (live.virtualMachineId !== null && live.virtualMachineId !== oma) {
        throw new WorkflowStopError(
          `volume ${v.volumeId} is attached to VM ${live.virtualMachineId}, not the OMA: not deleted`,
        );
      }
      if (live.virtualMachineId === oma) {
        const users = await run.options.deviceUsage(run.byIdPath(v.volumeId));
        if (users.length > 0) {
          throw new Error(`the OMA device of volume ${v.volumeId} is in use (${users.join(', ')}); not detached`);
        }
      }
      // Through the one writer: the Volume Daemon detaches first (mapping, export) and deletes.
      const outcome = await run.volumes().delete(v.volumeId);
      if (outcome.nbdChanged) run.ctx.nbdTouched.value = true;
      if (outcome.changed) deleted++;
      else gone++;
    }
    return `deleted ${deleted} volumes${gone > 0 ? ` (${gone} already gone)` : ''}`;
  },
};
