/**
 * The CloudStack state vocabulary, typed, in one place: the states CloudStack reports for VMs,
 * volumes and snapshots (cloudstack-api.md), and the named groups of them the reconcilers and
 * workflows decide on. Observed states stay plain strings in the world (CloudStack may add one);
 * each group is checked with its `is…` function.
 */

/** `VirtualMachine.State`. */
export type VmState =
  | 'Starting'
  | 'Running'
  | 'Stopping'
  | 'Stopped'
  | 'Shutdown'
  | 'Migrating'
  | 'Error'
  | 'Unknown'
  | 'Destroyed'
  | 'Expunging'
  | 'Expunged';

/** `Volume.State`. */
export type VolumeState =
  | 'Allocated'
  | 'Creating'
  | 'Ready'
  | 'Attaching'
  | 'Migrating'
  | 'Snapshotting'
  | 'Uploaded'
  | 'Destroy'
  | 'Destroyed'
  | 'Expunging'
  | 'Expunged';

/** `Snapshot.State`. */
export type SnapshotState =
  | 'Allocated'
  | 'Creating'
  | 'CreatedOnPrimary'
  | 'BackingUp'
  | 'BackedUp'
  | 'Copying'
  | 'Destroying'
  | 'Destroyed'
  | 'Error';

function group(states: readonly string[]): (state: string) => boolean {
  const set: ReadonlySet<string> = new Set(states);
  return (state) => set.has(state);
}

/** A VM that is not running: its root disk may be detached, nothing has to be stopped. */
export const isVmStopped = group(['Stopped', 'Shutdown', 'Destroyed'] satisfies VmState[]);
/** A VM on its way out or gone (destroyed, expunging, expunged). */
export const isVmGone = group(['Destroyed', 'Expunging', 'Expunged'] satisfies VmState[]);
/** A VM CloudStack lets a data volume be detached from. */
export const isVmDetachable = group(['Running', 'Stopped', 'Destroyed'] satisfies VmState[]);
/** A VM that is running or changing state (a guest may be using its disks). */
export const isVmActive = group(['Running', 'Starting', 'Stopping', 'Migrating'] satisfies VmState[]);

/** A volume destroyed or being expunged. */
export const isVolumeGone = group(['Destroy', 'Destroyed', 'Expunging', 'Expunged'] satisfies VolumeState[]);
/** A volume CloudStack can attach. */
export const isVolumeAttachable = group(['Ready', 'Allocated'] satisfies VolumeState[]);

/** A snapshot still being taken (it must not be reverted to or deleted yet). */
export const isSnapshotInProgress = group([
  'Allocated',
  'Creating',
  'CreatedOnPrimary',
  'BackingUp',
  'Copying',
] satisfies SnapshotState[]);
/** A snapshot in a passing state the orphan-snapshot reconciler waits out. */
export const isSnapshotTransient = group([
  'Allocated',
  'Creating',
  'BackingUp',
  'Copying',
  'Destroying',
  'Destroyed',
] satisfies SnapshotState[]);
