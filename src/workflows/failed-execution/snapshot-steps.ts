/**
 * Steps 4 and 5 of the failed-execution cleanup. A snapshot is deleted only after its volume was
 * reverted to it; a revert that fails keeps every snapshot and stops the run (incident 17: the
 * appliance's rollback deletes the rollback point of a failed revert).
 */
import { CloudStackHttpError, CloudStackJobFailedError } from '../../cloudstack/errors.js';
import { deleteSnapshot, settledSnapshot } from '../cloudstack-steps.js';
import { findVolume } from '../../cloudstack/find-objects.js';
import type { WorkflowStep } from '../run-steps.js';
import { WorkflowStopError } from '../workflow-errors.js';
import { analysisOf } from './analyse-step.js';
import { priorRevert, REVERT_SUBMITTED_KEY, revertSubmittedSchema } from './revert-journal.js';
import { revertedSchema } from './volume-steps.js';

/** Step 4: reverts each detached volume to its snapshot; each success is journalled at once, a failure stops the run. */
export const revertSnapshotsStep: WorkflowStep = {
  name: 'snapshot-revert',
  title: 'revert each volume to its failover snapshot',
  async run(run) {
    const cs = run.cloudstack();
    const signal = run.ctx.signal;
    const reverted = run.data('reverted', revertedSchema, {});
    const submitted = run.data(REVERT_SUBMITTED_KEY, revertSubmittedSchema, {});
    const journalSubmitted = async (): Promise<void> => {
      run.setData(REVERT_SUBMITTED_KEY, submitted);
      await run.saveProgress();
    };
    let count = 0;
    for (const v of analysisOf(run).volumes) {
      if (v.revertTo === null || reverted[v.volumeId] !== undefined) continue;
      const sent = submitted[v.volumeId];
      if (sent !== undefined) {
        // Sent before a crash or a lost answer: look for it before anything is sent again.
        // A job that failed changed nothing: this run (an operator asked again) may send it anew.
        const prior = await priorRevert(cs, sent, signal);
        if (prior.outcome === 'done') {
          reverted[v.volumeId] = sent.snapshotId;
          run.setData('reverted', reverted);
          await run.saveProgress();
          count++;
          continue;
        }
      }
      const volume = await findVolume(cs, v.volumeId, signal);
      if (volume?.virtualMachineId != null) {
        throw new Error(
          `volume ${v.volumeId} is attached to ${volume.virtualMachineId} again; a revert needs it detached`,
        );
      }
      const snap = await settledSnapshot(cs, v.revertTo.id, run.options.snapshotWaitMs, run.options.pollMs, signal);
      if (!snap) {
        throw new WorkflowStopError(
          `snapshot ${v.revertTo.id} of volume ${v.volumeId} disappeared before the revert; the volume could not be rolled back`,
        );
      }
      if (snap.state !== 'BackedUp') {
        throw new WorkflowStopError(
          `snapshot ${snap.id} of volume ${v.volumeId} is ${snap.state}, not BackedUp, and cannot be reverted; it is kept`,
        );
      }
      if (snap.revertable === false) {
        throw new WorkflowStopError(
          `CloudStack says snapshot ${snap.id} of volume ${v.volumeId} is not revertable; it is kept`,
        );
      }
      submitted[v.volumeId] = { snapshotId: snap.id, jobId: null };
      await journalSubmitted();
      try {
        await cs.revertSnapshot(snap.id, {
          signal,
          onSubmitted: async (jobId) => {
            submitted[v.volumeId] = { snapshotId: snap.id, jobId };
            await journalSubmitted();
          },
        });
      } catch (e) {
        if (e instanceof CloudStackJobFailedError || (e instanceof CloudStackHttpError && e.status < 500)) {
          throw new WorkflowStopError(
            `the revert of volume ${v.volumeId} to snapshot ${snap.id} (${snap.name}) failed: ${e.message}; the snapshot is kept`,
          );
        }
        throw e;
      }
      reverted[v.volumeId] = snap.id;
      run.setData('reverted', reverted);
      await run.saveProgress();
      count++;
    }
    const total = Object.keys(reverted).length;
    return total === 0
      ? 'no snapshot to revert'
      : `reverted ${total} volumes to their snapshots${count < total ? ` (${total - count} in an earlier run)` : ''}`;
  },
};

/** Step 5: deletes the snapshots of the reverted volumes (a snapshot already gone is a no-op). */
export const deleteSnapshotsStep: WorkflowStep = {
  name: 'snapshot-deletion',
  title: 'delete the snapshots whose revert succeeded',
  async run(run) {
    const cs = run.cloudstack();
    const reverted = run.data('reverted', revertedSchema, {});
    let deleted = 0;
    let gone = 0;
    for (const v of analysisOf(run).volumes) {
      if (v.revertTo === null) continue;
      if (reverted[v.volumeId] === undefined) {
        throw new Error(`volume ${v.volumeId} was not reverted; its snapshots are kept`);
      }
      for (const id of v.deleteAfterRevert) {
        if (await deleteSnapshot(cs, id, run.ctx.signal)) deleted++;
        else gone++;
      }
    }
    return deleted + gone === 0
      ? 'no snapshot to delete'
      : `deleted ${deleted} snapshots${gone > 0 ? ` (${gone} already gone)` : ''}`;
  },
};
