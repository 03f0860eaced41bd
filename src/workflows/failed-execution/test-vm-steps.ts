/** Steps 2 and 6 of the failed-execution cleanup: stop the test VM, and destroy it once it holds none of our volumes. */
import { z } from 'zod';
import { deleteVolume, detachVolume, expungeVm, stopVm } from '../cloudstack-steps.js';
import { completeItems, findVm, findVolume } from '../../cloudstack/find-objects.js';
import type { WorkflowStep } from '../run-steps.js';
import { WorkflowStopError } from '../workflow-errors.js';
import { analysisOf } from './analyse-step.js';
import { isVmActive, isVmDetachable } from '../../world/cloudstack-states.js';

/** Step 2: stops a running test VM (forced after `stopTimeoutMs`); a VM in a state CloudStack cannot detach from stops the run. */
export const stopTestVmsStep: WorkflowStep = {
  name: 'test-vm-shutdown',
  title: 'stop the test VM (graceful, then forced)',
  async run(run) {
    const cs = run.cloudstack();
    const signal = run.ctx.signal;
    const ours = new Set(analysisOf(run).volumes.map((v) => v.volumeId));
    const done: string[] = [];
    for (const vm of analysisOf(run).testVms) {
      const live = await findVm(cs, vm.id, signal);
      if (!live) {
        done.push(`${vm.name} is gone`);
        continue;
      }
      if (isVmActive(live.state)) {
        const how = await stopVm(cs, vm.id, run.options.stopTimeoutMs, signal);
        done.push(
          `${vm.name} ${how === 'forced' ? 'stopped (forced after the graceful stop did not finish)' : how === 'stopped' ? 'stopped' : 'was stopped'}`,
        );
        continue;
      }
      const holds = completeItems(
        await cs.listVolumes({ virtualMachineId: vm.id }, { signal }),
        `volumes of VM ${vm.id}`,
      ).some((v) => ours.has(v.id));
      if (holds && !isVmDetachable(live.state)) {
        throw new WorkflowStopError(
          `test VM ${vm.name} is ${live.state} and holds volumes of the context: CloudStack detaches only from a Running, Stopped or Destroyed VM`,
        );
      }
      done.push(`${vm.name} was ${live.state}`);
    }
    return done.length === 0 ? 'no test VM to stop' : done.join('; ');
  },
};

const rootsSchema = z.record(z.string(), z.array(z.string()));

/** Step 6: expunges the test VM once it holds none of our volumes, then deletes its surviving template ROOT volume. */
export const destroyTestVmsStep: WorkflowStep = {
  name: 'test-vm-deletion',
  title: 'destroy the test VM and its template ROOT volume',
  async run(run) {
    const cs = run.cloudstack();
    const signal = run.ctx.signal;
    const analysis = analysisOf(run);
    const ours = new Set(analysis.volumes.map((v) => v.volumeId));
    const roots = run.data('testVmRoots', rootsSchema, {});
    const done: string[] = [];
    for (const vm of analysis.testVms) {
      if (await findVm(cs, vm.id, signal)) {
        const attached = completeItems(
          await cs.listVolumes({ virtualMachineId: vm.id }, { signal }),
          `volumes of VM ${vm.id}`,
        );
        const held = attached.filter((v) => ours.has(v.id));
        // Expunging destroys what sits at the root position: never with one of our volumes on it (incident 19).
        if (held.length > 0) {
          throw new WorkflowStopError(
            `test VM ${vm.name} holds volumes of the context again (${held.map((v) => v.id).join(', ')}): not destroyed`,
          );
        }
        roots[vm.id] = [
          ...new Set([...vm.rootVolumeIds, ...attached.filter((v) => v.type === 'ROOT').map((v) => v.id)]),
        ];
        run.setData('testVmRoots', roots);
        await run.saveProgress();
        await expungeVm(cs, vm.id, signal);
        done.push(`destroyed ${vm.name}`);
      } else {
        done.push(`${vm.name} was gone`);
      }
      for (const rootId of roots[vm.id] ?? vm.rootVolumeIds) {
        if (ours.has(rootId) || !(await findVolume(cs, rootId, signal))) continue;
        await detachVolume(cs, rootId, signal);
        await deleteVolume(cs, rootId, signal);
        done.push(`deleted its surviving ROOT volume ${rootId}`);
      }
    }
    return done.length === 0 ? 'no test VM to destroy' : done.join('; ');
  },
};
