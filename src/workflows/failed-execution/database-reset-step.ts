import { sql } from 'kysely';
import type { WorkflowStep } from '../run-steps.js';
import { analysisOf } from './analyse-step.js';
import { revertedSchema } from './volume-steps.js';

/**
 * Step 8: the rows the failover left half-way — `failover_jobs` failed (the engine leaves it
 * `pending` for ever, incident 6), its own `job_tracking` row ended failed if still open, snapshot
 * tracking cleared for the reverted volumes, the context `ready_for_failover` with no current job
 * (incident 8). Runs in the final transaction with the validation.
 */
export const databaseResetStep: WorkflowStep = {
  name: 'database-reset',
  title: 'mark the failover failed and reset the context to ready_for_failover',
  async run(run) {
    const now = run.now();
    const analysis = analysisOf(run);
    const reverted = run.data('reverted', revertedSchema, {});
    const jobId = analysis.failover.jobId;
    const why =
      analysis.failover.errorMessage ??
      (analysis.failover.trackingStep
        ? `the failover stopped in step ${analysis.failover.trackingStep}`
        : 'the failover did not finish');
    await run.db
      .updateTable('failover_jobs')
      .set({
        status: 'failed',
        error_message: `${why}; cleaned up by oma-reconciler (failed-execution cleanup ${run.trackingJobId})`,
        completed_at: now,
        updated_at: now,
      })
      .where('job_id', '=', jobId)
      .execute();
    const ended = await run.db
      .updateTable('job_tracking')
      .set({
        status: 'failed',
        completed_at: now,
        updated_at: now,
        error_message: sql<string>`coalesce(error_message, ${`abandoned; cleaned up by oma-reconciler (failed-execution cleanup ${run.trackingJobId})`})`,
      })
      .where('id', '=', jobId)
      .where('status', 'in', ['running', 'pending'])
      .executeTakeFirst();
    const volumeIds = Object.keys(reverted);
    if (volumeIds.length > 0) {
      await run.db
        .updateTable('ossea_volumes')
        .set({ snapshot_id: null, snapshot_created_at: null, snapshot_status: 'none', updated_at: now })
        .where('volume_id', 'in', volumeIds)
        .execute();
    }
    const deleted = new Set(
      analysis.volumes.flatMap((v) => (reverted[v.volumeId] !== undefined ? v.deleteAfterRevert : [])),
    );
    await run.db
      .updateTable('failover_jobs')
      .set({ ossea_snapshot_id: null })
      .where('job_id', '=', jobId)
      .where('ossea_snapshot_id', 'in', [...deleted, ''])
      .execute();
    await run.db
      .updateTable('vm_replication_contexts')
      .set({ current_status: 'ready_for_failover', current_job_id: null, last_status_change: now, updated_at: now })
      .where('context_id', '=', analysis.contextId)
      .execute();
    const tracking = Number(ended.numUpdatedRows) > 0 ? '; its job_tracking row ended failed' : '';
    return `failover ${jobId} marked failed${tracking}; snapshot tracking cleared for ${volumeIds.length} volumes; context ${analysis.vmName} ready_for_failover`;
  },
};
