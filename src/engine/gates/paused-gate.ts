import { ANNOTATION } from '../../../reconcilers/lib/names.js';
import type { WorldIndex } from '../../../reconcilers/lib/world-index.js';
import { UNREADABLE_ANNOTATIONS } from '../../db/queries/json-column.js';
import type { Annotations } from '../../world/world.js';
import type { DriftItem, GateCheck } from '../../reconcile/types.js';

/**
 * Why the row's annotations pause it, or null. `"true"` pauses; a value that is neither true nor
 * false, or annotations that cannot be read at all, pause too — with the reason (never dropped).
 */
function pausedBy(a: Annotations | undefined): string | null {
  if (a === undefined) return null;
  const unreadable = a[UNREADABLE_ANNOTATIONS];
  if (unreadable !== undefined) {
    return `has unreadable annotations (${unreadable}); treated as paused until they are fixed`;
  }
  const value = a[ANNOTATION.paused];
  if (value === undefined || value === 'false') return null;
  if (value === 'true') return `is annotated ${ANNOTATION.paused}: "true"`;
  return `is annotated ${ANNOTATION.paused}: ${value}, which is neither true nor "true"; treated as paused until it is fixed`;
}

/** The annotated rows that govern an item: its context, the context's current job, the subject's job rows. */
function governingRows(item: DriftItem, idx: WorldIndex): [string, Annotations | undefined][] {
  const ctx = item.contextId === null ? undefined : idx.contexts.get(item.contextId);
  const rows: [string, Annotations | undefined][] = [[`context ${item.contextId ?? ''}`, ctx?.annotations]];
  if (ctx?.currentJobId) {
    rows.push([`replication job ${ctx.currentJobId}`, idx.replicationJobs.get(ctx.currentJobId)?.annotations]);
  }
  const { type, id } = item.subject;
  if (type === 'replication-job') rows.push([`replication job ${id}`, idx.replicationJobs.get(id)?.annotations]);
  if (type === 'failover-job') {
    const fj = idx.failoverJobs.get(id);
    rows.push([`failover job ${id}`, fj?.annotations]);
    if (fj?.replicationJobId) {
      rows.push([`replication job ${fj.replicationJobId}`, idx.replicationJobs.get(fj.replicationJobId)?.annotations]);
    }
  }
  if (type === 'nbd-export') {
    const jobId = idx.nbdRowsByName.get(id)?.jobId;
    if (jobId) rows.push([`replication job ${jobId}`, idx.replicationJobs.get(jobId)?.annotations]);
  }
  return rows;
}

/**
 * `paused`: an undo hold on the subject, or `oma-reconciler/paused: "true"` on the context or a
 * governing job row → report only.
 */
export function pausedGate(
  item: DriftItem,
  idx: WorldIndex,
  undoHolds: Readonly<Record<string, string>> = {},
): GateCheck {
  const hold = undoHolds[item.subject.id];
  if (hold !== undefined) {
    return { gate: 'paused', passed: false, detail: `${item.subject.type} ${item.subject.id} is ${hold}` };
  }
  for (const [row, a] of governingRows(item, idx)) {
    const why = pausedBy(a);
    if (why !== null) return { gate: 'paused', passed: false, detail: `${row} ${why}` };
  }
  return { gate: 'paused', passed: true, detail: 'not paused' };
}
