import type { ContextPlan } from '../../../src/appliance-world/appliance-world-spec.js';

/**
 * A `hooks.context` for the world builder that turns the listed contexts (status `failed`: a
 * completed initial job, then a failed incremental) into a failed FIRST replication: the only job
 * is the failed one, which owns the volumes, their disk rows and exports.
 */
export function failedFirstReplication(indexes: ReadonlySet<number>): (plan: ContextPlan) => void {
  return (plan) => {
    if (!indexes.has(plan.index)) return;
    const jobs = plan.rows.replication_jobs;
    jobs.splice(0, jobs.length - 1);
    const [only] = jobs;
    if (only) only.replication_type = 'initial';
    for (const ctx of plan.rows.vm_replication_contexts) {
      Object.assign(ctx, { last_successful_job_id: null, successful_jobs: 0, total_jobs_run: 1, failed_jobs: 1 });
    }
  };
}
