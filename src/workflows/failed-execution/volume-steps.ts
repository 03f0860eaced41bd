/**
 * Steps 3 and 7 of the failed-execution cleanup, judged from CloudStack's attachments (not from
 * `device_mappings`, which misses volumes attached without a row, incident 9).
 */
import { z } from 'zod';
import { CloudStackJobFailedError } from '../../cloudstack/errors.js';
import { findVm, findVolume } from '../../cloudstack/find-objects.js';
import { exportGap } from '../../volume-ops/bookkeeping.js';
import { VolumeMoveError } from '../../volume-ops/volume-writer.js';
import type { WorkflowStep } from '../run-steps.js';
import { waitForLink } from '../../devices/wait-for-link.js';
import { WorkflowStopError } from '../workflow-errors.js';
import { analysisOf } from './analyse-step.js';
import { isVmStopped } from '../../world/cloudstack-states.js';

/** Volumes already reverted (journal `reverted`: volume id → snapshot id). */
export const revertedSchema = z.record(z.string(), z.string());

/** Step 3: every volume off any VM that is not the OMA, and off the OMA where a revert needs it (device idle first). */
export const detachVolumesStep: WorkflowStep = {
  name: 'volume-detachment',
  title: 'detach the volumes from the test VM (and from the OMA where a revert needs it)',
  async run(run) {
    const cs = run.cloudstack();
    const signal = run.ctx.signal;
    const oma = run.omaVmId();
    const analysis = analysisOf(run);
    const reverted = run.data('reverted', revertedSchema, {});
    const testVms = new Set(analysis.testVms.map((v) => v.id));
    const moved: string[] = [];
    for (const v of analysis.volumes) {
      const live = await findVolume(cs, v.volumeId, signal);
      if (!live) throw new WorkflowStopError(`volume ${v.volumeId} (${v.name}) no longer exists in CloudStack`);
      const at = live.virtualMachineId;
      if (at === oma) {
        // A volume on the OMA stays there unless it must be reverted: CloudStack reverts only a detached volume (the OMA is never stopped).
        if (v.revertTo === null || reverted[v.volumeId] !== undefined) continue;
        const users = await run.options.deviceUsage(run.byIdPath(v.volumeId));
        if (users.length > 0) {
          throw new Error(`the OMA device of volume ${v.volumeId} is in use (${users.join(', ')}); not detached`);
        }
      } else if (at !== null && !testVms.has(at) && live.deviceId === 0) {
        const holder = await findVm(cs, at, signal);
        if (holder && !isVmStopped(holder.state)) {
          throw new WorkflowStopError(
            `volume ${v.volumeId} is the root disk of VM ${holder.name} (${holder.state}), which is not a test VM of this failover: not detached`,
          );
        }
      }
      const detached = await run.volumes().detach(v.volumeId);
      if (detached.nbdChanged) run.ctx.nbdTouched.value = true;
      const from = detached.detachedFrom ?? null;
      if (from !== null) moved.push(`${v.name} from ${from === oma ? 'the OMA' : from}`);
    }
    return moved.length === 0 ? 'no volume needed detaching' : `detached ${moved.join(', ')}`;
  },
};

/** Step 7: every volume back on the OMA, its by-id link awaited, its `oma` mapping and export restored. */
export const reattachVolumesStep: WorkflowStep = {
  name: 'volume-reattachment-to-oma',
  title: 'reattach the volumes to the OMA, restore device mappings and NBD exports',
  async run(run) {
    const signal = run.ctx.signal;
    const oma = run.omaVmId();
    const analysis = analysisOf(run);
    const linkMissing: string[] = [];
    const exportProblems: string[] = [];
    let attached = 0;
    for (const v of analysis.volumes) {
      // Through the one writer: the Volume Daemon (or its bookkeeping) writes the mapping and the export.
      let moved;
      try {
        moved = await run.volumes().attach(v.volumeId, oma);
      } catch (e) {
        // A business-rule refusal (no free slot, VM snapshots on the OMA) will not change by retrying.
        if (e instanceof CloudStackJobFailedError) {
          throw new WorkflowStopError(`volume ${v.volumeId} cannot be attached to the OMA: ${e.errortext}`);
        }
        if (e instanceof VolumeMoveError && e.terminal) throw new WorkflowStopError(e.message);
        throw e;
      }
      if (moved.changed) attached++;
      if (moved.nbdChanged) run.ctx.nbdTouched.value = true;
      if (!(await waitForLink(run.byIdPath(v.volumeId), run.options.byIdWaitMs, run.options.pollMs, signal))) {
        // Exporting a device the OMA does not see serves nothing; missing-nbd-export adds it once the link shows.
        linkMissing.push(v.volumeId);
        continue;
      }
      const exported = await exportGap(run.ctx, v.volumeId);
      if (exported !== null) exportProblems.push(exported);
    }
    run.setData('reattach', { linkMissing, exportProblems });
    const notes = [
      linkMissing.length > 0
        ? `by-id link not seen within ${run.options.byIdWaitMs} ms for ${linkMissing.join(', ')} (export left to the missing-nbd-export reconciler)`
        : '',
      ...exportProblems,
    ].filter((n) => n !== '');
    return `${analysis.volumes.length} volumes on the OMA (${attached} reattached), mappings restored, ${analysis.volumes.length - linkMissing.length - exportProblems.length} exports written${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`;
  },
};
