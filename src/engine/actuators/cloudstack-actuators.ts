/**
 * Actuators that change CloudStack. Each lists the object again right before acting (the world may
 * be a minute old) and treats "already in the desired state" as success, so a repeat is a no-op.
 */
import { QUARANTINE_TAG } from '../../../reconcilers/lib/names.js';
import { fail, ok, requireCloudStack, type Actuator } from './actuator-context.js';
import { volumeWriterOf } from './volume-writer-of.js';

export const quarantineVolume: Actuator<'quarantine-volume'> = async (action, _item, ctx) => {
  const cs = requireCloudStack(ctx);
  const { volumeId } = action.params;
  const listed = await cs.listVolumes({ id: volumeId, listAll: true }, { signal: ctx.signal });
  const volume = listed.items.find((v) => v.id === volumeId);
  if (!listed.complete) return fail(`cannot re-check volume ${volumeId}: ${listed.error ?? 'listing incomplete'}`);
  if (!volume) return ok(`volume ${volumeId} is already gone`);
  const detachedFrom = volume.virtualMachineId;
  if (detachedFrom !== null) {
    if (action.params.detachFromVmId !== null && detachedFrom !== action.params.detachFromVmId) {
      return fail(
        `volume ${volumeId} is now attached to ${detachedFrom}, not ${action.params.detachFromVmId}: left alone`,
        true,
      );
    }
    // Through the one writer: the daemon (or its bookkeeping) drops the mapping and export with it.
    const moved = await volumeWriterOf(ctx).detach(volumeId);
    if (moved.nbdChanged) ctx.nbdTouched.value = true;
  }
  if (volume.tags[QUARANTINE_TAG] === undefined) {
    await cs.createTags(
      { resourceType: 'Volume', resourceIds: [volumeId], tags: { [QUARANTINE_TAG]: ctx.clock().toISOString() } },
      { signal: ctx.signal },
    );
  }
  return ok(
    detachedFrom
      ? `detached volume ${volumeId} from ${detachedFrom} and tagged it quarantined`
      : `tagged volume ${volumeId} quarantined`,
    { volumeId, detachedFrom, deviceId: volume.deviceId },
  );
};

export const deleteVolume: Actuator<'delete-volume'> = async (action, _item, ctx) => {
  const cs = requireCloudStack(ctx);
  const { volumeId } = action.params;
  const listed = await cs.listVolumes({ id: volumeId, listAll: true }, { signal: ctx.signal });
  if (!listed.complete) return fail(`cannot re-check volume ${volumeId}: ${listed.error ?? 'listing incomplete'}`);
  const volume = listed.items.find((v) => v.id === volumeId);
  if (!volume) return ok(`volume ${volumeId} is already gone`);
  const tagged = volume.tags[QUARANTINE_TAG];
  if (volume.virtualMachineId !== null) {
    return fail(`volume ${volumeId} is attached to ${volume.virtualMachineId} again: not deleted`, true);
  }
  if (tagged === undefined) {
    return fail(`volume ${volumeId} is not quarantined (no ${QUARANTINE_TAG} tag): not deleted`, true);
  }
  const age = (ctx.clock().getTime() - Date.parse(tagged)) / 1000;
  if (!(age >= ctx.quarantineTtlSeconds)) {
    return fail(`volume ${volumeId} quarantined only ${Math.floor(age)} s ago: not deleted yet`);
  }
  const deleted = await volumeWriterOf(ctx).delete(volumeId);
  if (deleted.nbdChanged) ctx.nbdTouched.value = true;
  return ok(`${deleted.message}, quarantined since ${tagged}`);
};

export const deleteSnapshot: Actuator<'delete-snapshot'> = async (action, _item, ctx) => {
  const cs = requireCloudStack(ctx);
  const { snapshotId } = action.params;
  const listed = await cs.listSnapshots({ id: snapshotId, listAll: true }, { signal: ctx.signal });
  if (!listed.complete) return fail(`cannot re-check snapshot ${snapshotId}: ${listed.error ?? 'listing incomplete'}`);
  const snapshot = listed.items.find((s) => s.id === snapshotId);
  if (!snapshot) return ok(`snapshot ${snapshotId} is already gone`);
  await cs.deleteSnapshot(snapshotId, { signal: ctx.signal });
  return ok(`deleted snapshot ${snapshotId} (${snapshot.name}) of volume ${snapshot.volumeId}`);
};

export const attachVolumeToOma: Actuator<'attach-volume-to-oma'> = async (action, _item, ctx) => {
  const cs = requireCloudStack(ctx);
  const { volumeId, omaVmId } = action.params;
  const listed = await cs.listVolumes({ id: volumeId, listAll: true }, { signal: ctx.signal });
  if (!listed.complete) return fail(`cannot re-check volume ${volumeId}: ${listed.error ?? 'listing incomplete'}`);
  const volume = listed.items.find((v) => v.id === volumeId);
  if (!volume) return fail(`volume ${volumeId} no longer exists`, true);
  if (volume.virtualMachineId === omaVmId) return ok(`volume ${volumeId} is already attached to the OMA`);
  if (volume.virtualMachineId !== null) {
    return fail(`volume ${volumeId} is attached to ${volume.virtualMachineId}: not moved`, true);
  }
  const attached = await volumeWriterOf(ctx).attach(volumeId, omaVmId);
  if (attached.nbdChanged) ctx.nbdTouched.value = true;
  return ok(attached.message);
};

export const destroyTestVm: Actuator<'destroy-test-vm'> = async (action, _item, ctx) => {
  const cs = requireCloudStack(ctx);
  const { vmId } = action.params;
  const vms = await cs.listVirtualMachines({ id: vmId, listAll: true }, { signal: ctx.signal });
  if (!vms.complete) return fail(`cannot re-check VM ${vmId}: ${vms.error ?? 'listing incomplete'}`);
  if (!vms.items.some((v) => v.id === vmId)) return ok(`test VM ${vmId} is already gone`);
  const volumes = await cs.listVolumes({ virtualMachineId: vmId, listAll: true }, { signal: ctx.signal });
  if (!volumes.complete) return fail(`cannot list the volumes of VM ${vmId}: ${volumes.error ?? 'listing incomplete'}`);
  const data = volumes.items.filter((v) => v.type !== 'ROOT');
  // Expunging a VM destroys what sits at its root position: never with a data volume on it.
  if (data.length > 0) {
    return fail(
      `test VM ${vmId} still has data volumes attached (${data.map((v) => v.id).join(', ')}): not destroyed`,
      true,
    );
  }
  await cs.destroyVirtualMachine(vmId, { expunge: true }, { signal: ctx.signal });
  return ok(`destroyed (expunged) test VM ${vmId}`);
};
