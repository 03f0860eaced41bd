/**
 * The programmatic face of the simulator's world (`sim.state`): tests, the demo and the benchmark
 * build the CloudStack side of a world with it, and can cause drift out of band (a volume deleted
 * or detached behind the daemon's back). No business rules here; those live in the API handlers.
 */
import { InvalidInputError } from '../errors.js';
import { SimStore } from './sim-store.js';
import type { SimSnapshot, SimTag, SimVm, SimVolume, TagResourceType, VolumeType } from './sim-types.js';
import { TAG_RESOURCE_TYPES } from './sim-types.js';

const GiB = 1024 ** 3;

/** A time as ISO string or epoch ms. */
export type TimeInput = string | number;

export interface VmInput {
  readonly id?: string;
  readonly name: string;
  readonly displayName?: string;
  /** Default `Running`. */
  readonly state?: string;
  readonly account?: string;
  readonly projectId?: string;
  readonly created?: TimeInput;
  /** Default true: a ROOT volume `ROOT-<internal id>` attached at device 0. */
  readonly withRootVolume?: boolean;
  readonly rootVolumeId?: string;
  readonly rootSizeBytes?: number;
  /** Default: the simulator's template and service offering. */
  readonly templateId?: string;
  readonly serviceOfferingId?: string;
}

export interface VolumeInput {
  readonly id?: string;
  readonly name: string;
  /** Default `DATADISK`. */
  readonly type?: VolumeType;
  /** Default 10 GiB. */
  readonly sizeBytes?: number;
  /** Default `Ready`. */
  readonly state?: string;
  readonly virtualMachineId?: string | null;
  /** Default: the lowest free id (skipping 3); 0 for a ROOT volume. */
  readonly deviceId?: number | null;
  readonly created?: TimeInput;
  readonly account?: string;
  readonly projectId?: string;
}

export interface SnapshotInput {
  readonly id?: string;
  readonly volumeId: string;
  readonly name?: string;
  /** Default `BackedUp`. */
  readonly state?: string;
  readonly created?: TimeInput;
}

export interface TagInput {
  readonly resourceType: TagResourceType;
  readonly resourceId: string;
  readonly key: string;
  readonly value: string;
}

/** A bulk seed (state file): everything optional; VMs first, then volumes, snapshots, tags. */
export interface SimSeed {
  readonly virtualMachines?: readonly VmInput[];
  readonly volumes?: readonly VolumeInput[];
  readonly snapshots?: readonly SnapshotInput[];
  readonly tags?: readonly TagInput[];
}

function toMs(t: TimeInput | undefined, fallback: number): number {
  if (t === undefined) return fallback;
  const ms = typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new InvalidInputError(`not a time: ${String(t)}`, 'created');
  return ms;
}

/** `sim.state`: the store plus the operations tests use to shape it. */
export class SimState extends SimStore {
  /** Adds a VM (and by default its ROOT volume at device 0). */
  addVirtualMachine(input: VmInput): Readonly<SimVm> {
    const internalId = this.nextInternalId();
    const vm: SimVm = {
      id: this.claimId(input.id),
      internalId,
      name: input.name,
      displayName: input.displayName ?? input.name,
      state: input.state ?? 'Running',
      zoneId: this.defaults.zoneId,
      account: this.ensureAccount(input.account ?? this.defaults.account).name,
      projectId: input.projectId ?? null,
      templateId: input.templateId ?? this.defaults.templateId,
      serviceOfferingId: input.serviceOfferingId ?? this.defaults.serviceOfferingId,
      created: toMs(input.created, this.now()),
      ...SimStore.nicFor(internalId),
      vmSnapshots: 0,
      pendingJobId: null,
      expungeAt: null,
    };
    this.vms.set(vm.id, vm);
    this.touch();
    if (input.withRootVolume ?? true) {
      this.addVolume({
        ...(input.rootVolumeId !== undefined ? { id: input.rootVolumeId } : {}),
        name: `ROOT-${internalId}`,
        type: 'ROOT',
        sizeBytes: input.rootSizeBytes ?? 8 * GiB,
        virtualMachineId: vm.id,
        deviceId: 0,
        created: vm.created,
        account: vm.account,
      });
    }
    return vm;
  }

  /** Adds a volume, attached when `virtualMachineId` is given. */
  addVolume(input: VolumeInput): Readonly<SimVolume> {
    const type: string = input.type ?? 'DATADISK';
    if (type !== 'ROOT' && type !== 'DATADISK') {
      throw new InvalidInputError(`volume type must be ROOT or DATADISK, not ${type}`, 'type');
    }
    const vmId = input.virtualMachineId ?? null;
    if (vmId !== null && !this.vms.has(vmId)) {
      throw new InvalidInputError(`no VM ${vmId} for volume ${input.name}`, 'virtualMachineId');
    }
    const volume: SimVolume = {
      id: this.claimId(input.id),
      internalId: this.nextInternalId(),
      name: input.name,
      type,
      state: input.state ?? 'Ready',
      sizeBytes: input.sizeBytes ?? 10 * GiB,
      zoneId: this.defaults.zoneId,
      account: this.ensureAccount(input.account ?? this.defaults.account).name,
      projectId: input.projectId ?? null,
      diskOfferingId: type === 'DATADISK' ? this.defaults.diskOfferingId : null,
      vmId: null,
      deviceId: null,
      attached: null,
      created: toMs(input.created, this.now()),
      pendingJobId: null,
    };
    this.volumes.set(volume.id, volume);
    if (vmId !== null) this.link(volume, vmId, input.deviceId ?? (type === 'ROOT' ? 0 : this.lowestFreeDeviceId(vmId)));
    else this.touch();
    return volume;
  }

  /** Adds a snapshot of an existing volume. */
  addSnapshot(input: SnapshotInput): Readonly<SimSnapshot> {
    const volume = this.volumes.get(input.volumeId);
    if (!volume) throw new InvalidInputError(`no volume ${input.volumeId} for the snapshot`, 'volumeId');
    const created = toMs(input.created, this.now());
    const snapshot: SimSnapshot = {
      id: this.claimId(input.id),
      internalId: this.nextInternalId(),
      name: input.name ?? `${volume.name}_${new Date(created).toISOString().replace(/\D/g, '').slice(0, 14)}`,
      volumeId: volume.id,
      state: input.state ?? 'BackedUp',
      created,
      virtualSizeBytes: volume.sizeBytes,
      account: volume.account,
      zoneId: volume.zoneId,
      pendingJobId: null,
    };
    this.snapshots.set(snapshot.id, snapshot);
    this.touch();
    return snapshot;
  }

  /** Adds a tag to a live resource. */
  addTag(input: TagInput): Readonly<SimTag> {
    if (!TAG_RESOURCE_TYPES.includes(input.resourceType)) {
      throw new InvalidInputError(`unknown resource type ${input.resourceType}`, 'resourceType');
    }
    const owner = this.#ownerOf(input.resourceType, input.resourceId);
    const tag: SimTag = {
      key: input.key,
      value: input.value,
      resourceType: input.resourceType,
      resourceId: input.resourceId,
      account: owner,
    };
    this.putTag(tag);
    return tag;
  }

  /** Attaches out of band (no rule checks), e.g. to build a volume attached to the wrong VM. */
  attachVolume(volumeId: string, vmId: string, deviceId?: number): Readonly<SimVolume> {
    const volume = this.#volume(volumeId);
    if (!this.vms.has(vmId)) throw new InvalidInputError(`no VM ${vmId}`, 'vmId');
    if (volume.vmId !== null) this.unlink(volume);
    this.link(volume, vmId, deviceId ?? this.lowestFreeDeviceId(vmId));
    return volume;
  }

  /** Detaches out of band. */
  detachVolume(volumeId: string): Readonly<SimVolume> {
    const volume = this.#volume(volumeId);
    this.unlink(volume);
    return volume;
  }

  /** Deletes a volume out of band (as if someone used the CloudStack UI). */
  removeVolume(volumeId: string): void {
    this.dropVolume(this.#volume(volumeId));
  }

  /** Deletes a snapshot out of band. */
  removeSnapshot(snapshotId: string): void {
    const snapshot = this.snapshots.get(snapshotId);
    if (!snapshot) throw new InvalidInputError(`no snapshot ${snapshotId}`, 'snapshotId');
    this.dropSnapshot(snapshot);
  }

  /** Expunges a VM out of band (ROOT removed, data disks detached). */
  removeVirtualMachine(vmId: string): void {
    this.expungeVm(this.#vm(vmId));
  }

  /** Sets a VM's state (e.g. `Stopped` to allow a revert, `Error`). */
  setVmState(vmId: string, state: string): void {
    this.#vm(vmId).state = state;
    this.touch();
  }

  /** Sets a volume's state. */
  setVolumeState(volumeId: string, state: string): void {
    this.#volume(volumeId).state = state;
    this.touch();
  }

  /** Sets a snapshot's state (`Destroyed` hides it from listSnapshots). */
  setSnapshotState(snapshotId: string, state: string): void {
    const snapshot = this.snapshots.get(snapshotId);
    if (!snapshot) throw new InvalidInputError(`no snapshot ${snapshotId}`, 'snapshotId');
    snapshot.state = state;
    this.touch();
  }

  /** Gives a VM one more VM snapshot (which blocks attach, detach and revert). */
  addVmSnapshot(vmId: string): void {
    this.#vm(vmId).vmSnapshots++;
    this.touch();
  }

  /** Ids of the volumes attached to a VM, by device id order. */
  attachedVolumeIds(vmId: string): string[] {
    return [...(this.devices.get(vmId)?.entries() ?? [])].sort((a, b) => a[0] - b[0]).map(([, id]) => id);
  }

  getVolume(id: string): Readonly<SimVolume> | undefined {
    return this.volumes.get(id);
  }

  getVirtualMachine(id: string): Readonly<SimVm> | undefined {
    return this.vms.get(id);
  }

  getSnapshot(id: string): Readonly<SimSnapshot> | undefined {
    return this.snapshots.get(id);
  }

  /** Loads a bulk seed; returns how many objects of each kind were added. */
  seed(seed: SimSeed): {
    readonly virtualMachines: number;
    readonly volumes: number;
    readonly snapshots: number;
    readonly tags: number;
  } {
    for (const vm of seed.virtualMachines ?? []) this.addVirtualMachine(vm);
    for (const volume of seed.volumes ?? []) this.addVolume(volume);
    for (const snapshot of seed.snapshots ?? []) this.addSnapshot(snapshot);
    for (const tag of seed.tags ?? []) this.addTag(tag);
    return {
      virtualMachines: seed.virtualMachines?.length ?? 0,
      volumes: seed.volumes?.length ?? 0,
      snapshots: seed.snapshots?.length ?? 0,
      tags: seed.tags?.length ?? 0,
    };
  }

  /** Object counts (live objects only). */
  counts(): {
    readonly virtualMachines: number;
    readonly volumes: number;
    readonly snapshots: number;
    readonly tags: number;
  } {
    let tags = 0;
    for (const list of this.tags.values()) tags += list.length;
    return { virtualMachines: this.vms.size, volumes: this.volumes.size, snapshots: this.snapshots.size, tags };
  }

  #ownerOf(type: TagResourceType, id: string): string {
    const owner =
      type === 'Volume'
        ? this.volumes.get(id)?.account
        : type === 'Snapshot'
          ? this.snapshots.get(id)?.account
          : type === 'UserVm'
            ? this.vms.get(id)?.account
            : this.defaults.account;
    if (owner === undefined) throw new InvalidInputError(`no ${type} ${id} to tag`, 'resourceId');
    return owner;
  }

  #volume(id: string): SimVolume {
    const volume = this.volumes.get(id);
    if (!volume) throw new InvalidInputError(`no volume ${id}`, 'volumeId');
    return volume;
  }

  #vm(id: string): SimVm {
    const vm = this.vms.get(id);
    if (!vm) throw new InvalidInputError(`no VM ${id}`, 'vmId');
    return vm;
  }
}
