import type { WorkflowStep } from '../run-steps.js';
import { WorkflowStopError } from '../workflow-errors.js';
import type { WorkflowRun } from '../workflow-run.js';
import { analyseFailover } from './analyse-failover.js';
import { failoverAnalysisSchema, type FailoverAnalysis } from './failover-analysis.js';
import { readFailoverFacts, readFailoverRows } from './read-failover-facts.js';

/** The analysis recorded by step 1 (every later step acts on it). */
export function analysisOf(run: WorkflowRun): FailoverAnalysis {
  const analysis = run.data<FailoverAnalysis | null>('analysis', failoverAnalysisSchema, null);
  if (!analysis) throw new Error('the journal holds no analysis of the failover');
  return analysis;
}

/**
 * Step 1: the context, the failover, every volume and where CloudStack says it is, the test VM and
 * the snapshots; recorded in the request. Stops before any change when a volume is gone or its
 * rollback point is unusable (a human decides what the data is worth).
 */
export const analyseStep: WorkflowStep = {
  name: 'analyze-failed-execution',
  title: 'analyse the failover, its volumes, test VM and snapshots',
  async run(run) {
    const rows = await readFailoverRows(run.db, run.subject.jobId);
    if (!rows?.context) throw new Error(`failover job ${run.subject.jobId} or its context is gone`);
    const facts = await readFailoverFacts(
      run.db,
      run.cloudstack(),
      { ...rows, context: rows.context },
      run.ctx.omaVmId,
      run.ctx.signal,
    );
    const analysis = analyseFailover(facts, run.now());
    run.setData('analysis', analysis);
    await run.persist('running', 'analysed the failover', { analysis });
    const blockers = analysis.volumes.filter((v) => v.problem !== null).map((v) => `${v.name}: ${v.problem ?? ''}`);
    if (analysis.omaVmId === null) blockers.push('the OMA VM id is unknown, so nothing can be reattached');
    if (blockers.length > 0) throw new WorkflowStopError(blockers.join('; '));
    const reverts = analysis.volumes.filter((v) => v.revertTo !== null).length;
    const vms = analysis.testVms.map((v) => `${v.name} (${v.state})`).join(', ') || 'none';
    return `${analysis.volumes.length} volumes, ${reverts} with a snapshot to revert; test VM: ${vms}`;
  },
};
