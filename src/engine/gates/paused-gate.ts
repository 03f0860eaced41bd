import { ANNOTATION } from '../../../reconcilers/lib/names.js';
import type { WorldIndex } from '../../../reconcilers/lib/world-index.js';
import type { Annotations } from '../../world/world.js';
import type { DriftItem, GateCheck } from '../../reconcile/types.js';

const isPaused = (a: Annotations | undefined): boolean => a?.[ANNOTATION.paused] === 'true';

/** The annotated rows that govern an item: its context, the context's current job, the subject's job rows. */
function governingRows(item: DriftItem, idx: WorldIndex): [string, Annotations | undefined][] {
  const ctx = item.contextId === null ? undefined : idx.contexts.get(item.contextId);
  const rows: [string, Annotations | undefined][] = [[`context ${item.contextId ?? ''}`, ctx?.annotations]];
  if (ctx?.currentJobId) rows.push([`replication job ${ctx.currentJobId}`, idx.replicationJobs.get(ctx.currentJobId)?.annotations]);
  const { type, id } = item.subject;
  if (type === 'replication-job') rows.push([`replication job ${id}`, idx.replicationJobs.get(id)?.annotations]);
  if (type === 'failover-job') {
    const fj = idx.failoverJobs.get(id);
    rows.push([`failover job ${id}`, fj?.annotations]);
    if (fj?.replicationJobId) rows.push([`replication job ${fj.replicationJobId}`, idx.replicationJobs.get(fj.replicationJobId)?.annotations]);
  }
  if (type === 'nbd-export') {
    const jobId = idx.nbdRowsByName.get(id)?.jobId;
    if (jobId) rows.push([`replication job ${jobId}`, idx.replicationJobs.get(jobId)?.annotations]);
  }
  return rows;
}

/** `paused`: `oma-reconciler/paused: "true"` on the context or a governing job row → report only. */
export function pausedGate(item: DriftItem, idx: WorldIndex): GateCheck {
  const paused = governingRows(item, idx).find(([, a]) => isPaused(a));
  return paused
    ? { gate: 'paused', passed: false, detail: `${paused[0]} is annotated ${ANNOTATION.paused}: "true"` }
    : { gate: 'paused', passed: true, detail: 'not paused' };
}
