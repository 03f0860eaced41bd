/**
 * Idempotent CloudStack operations for the workflows. Each looks the object up right before acting
 * and treats "already in the desired state" as success, so a step run again after a crash repeats
 * nothing; a failed call is re-checked once, because CloudStack may have done it anyway.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudStackClient } from '../cloudstack/cloudstack-client.js';
import { CloudStackJobFailedError, CloudStackTimeoutError } from '../cloudstack/errors.js';
import { findSnapshot, findVm, findVolume } from '../cloudstack/find-objects.js';
import type { CsSnapshot } from '../world/world.js';
import { isSnapshotInProgress, isVmStopped } from '../world/cloudstack-states.js';

/** Detaches a volume from whatever holds it; returns the VM it was detached from, null when it was detached already. */
export async function detachVolume(
  cs: CloudStackClient,
  volumeId: string,
  signal: AbortSignal,
): Promise<string | null> {
  const volume = await findVolume(cs, volumeId, signal);
  if (volume?.virtualMachineId == null) return null;
  try {
    await cs.detachVolume({ id: volumeId }, { signal });
  } catch (e) {
    if ((await findVolume(cs, volumeId, signal))?.virtualMachineId != null) throw e;
  }
  return volume.virtualMachineId;
}

/** Attaches a volume to `vmId`; `already` when it is there. Attached elsewhere → throws. */
export async function attachVolume(
  cs: CloudStackClient,
  volumeId: string,
  vmId: string,
  signal: AbortSignal,
): Promise<'attached' | 'already'> {
  const volume = await findVolume(cs, volumeId, signal);
  if (!volume) throw new Error(`volume ${volumeId} no longer exists in CloudStack`);
  if (volume.virtualMachineId === vmId) return 'already';
  if (volume.virtualMachineId !== null) {
    throw new Error(`volume ${volumeId} is attached to VM ${volume.virtualMachineId}, not detached`);
  }
  try {
    await cs.attachVolume({ id: volumeId, virtualMachineId: vmId }, { signal });
  } catch (e) {
    if ((await findVolume(cs, volumeId, signal))?.virtualMachineId !== vmId) throw e;
  }
  return 'attached';
}

/**
 * Stops a VM: gracefully, and forced when the graceful stop did not finish within `gracefulMs` or
 * failed. Returns how it ended.
 */
export async function stopVm(
  cs: CloudStackClient,
  vmId: string,
  gracefulMs: number,
  signal: AbortSignal,
): Promise<'already' | 'stopped' | 'forced' | 'gone'> {
  const vm = await findVm(cs, vmId, signal);
  if (!vm) return 'gone';
  // Nothing to stop: the VM is stopped, or on its way out.
  if (isVmStopped(vm.state) || vm.state === 'Expunging') return 'already';
  try {
    await cs.stopVirtualMachine(vmId, { forced: false }, { signal, timeoutMs: gracefulMs });
    return 'stopped';
  } catch (e) {
    if (!(e instanceof CloudStackTimeoutError || e instanceof CloudStackJobFailedError)) throw e;
  }
  await cs.stopVirtualMachine(vmId, { forced: true }, { signal });
  return 'forced';
}

/** Destroys and expunges a VM; false when it was gone already. */
export async function expungeVm(cs: CloudStackClient, vmId: string, signal: AbortSignal): Promise<boolean> {
  if (!(await findVm(cs, vmId, signal))) return false;
  try {
    await cs.destroyVirtualMachine(vmId, { expunge: true }, { signal });
  } catch (e) {
    if (await findVm(cs, vmId, signal)) throw e;
  }
  // The job's answer may be sparse after an expunge: confirm by listing.
  if (await findVm(cs, vmId, signal)) {
    throw new Error(`VM ${vmId} is still listed after destroyVirtualMachine expunge=true`);
  }
  return true;
}

/** Deletes a snapshot; false when it was gone already (a second delete is a no-op). */
export async function deleteSnapshot(cs: CloudStackClient, snapshotId: string, signal: AbortSignal): Promise<boolean> {
  if (!(await findSnapshot(cs, snapshotId, signal))) return false;
  try {
    await cs.deleteSnapshot(snapshotId, { signal });
  } catch (e) {
    if (await findSnapshot(cs, snapshotId, signal)) throw e;
  }
  return true;
}

/** Deletes a detached volume; false when it was gone already. */
export async function deleteVolume(cs: CloudStackClient, volumeId: string, signal: AbortSignal): Promise<boolean> {
  const volume = await findVolume(cs, volumeId, signal);
  if (!volume) return false;
  if (volume.virtualMachineId !== null) {
    throw new Error(`volume ${volumeId} is attached to VM ${volume.virtualMachineId}: not deleted`);
  }
  try {
    await cs.deleteVolume(volumeId, { signal });
  } catch (e) {
    if (await findVolume(cs, volumeId, signal)) throw e;
  }
  return true;
}

/**
 * The snapshot once it is `BackedUp` (the only revertable state); null when it is gone. A snapshot
 * still in progress is waited for up to `timeoutMs`; any other state is returned as it is.
 */
export async function settledSnapshot(
  cs: CloudStackClient,
  id: string,
  timeoutMs: number,
  pollMs: number,
  signal: AbortSignal,
): Promise<CsSnapshot | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await findSnapshot(cs, id, signal);
    if (!snapshot || !isSnapshotInProgress(snapshot.state)) return snapshot;
    if (Date.now() >= deadline) throw new Error(`snapshot ${id} is still ${snapshot.state} after ${timeoutMs} ms`);
    await sleep(pollMs, undefined, { signal });
  }
}
