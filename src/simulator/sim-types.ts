/**
 * The simulator's internal records. They are mutable on purpose (the simulator is the "server");
 * the programmatic API hands them out as `Readonly<…>`. Times are epoch milliseconds.
 */

export interface SimAccount {
  readonly name: string;
  readonly id: string;
  readonly domainId: string;
  readonly domain: string;
  readonly userId: string;
  /** Root admins see every account's resources with `listall=true`. */
  readonly admin: boolean;
}

export interface SimZone {
  readonly id: string;
  readonly name: string;
}

export interface SimServiceOffering {
  readonly id: string;
  readonly name: string;
  readonly cpuNumber: number;
  readonly cpuSpeed: number;
  readonly memory: number;
}

export interface SimDiskOffering {
  readonly id: string;
  readonly name: string;
  /** 0 with `customized` = the size comes from the request. */
  readonly diskSizeGiB: number;
  readonly customized: boolean;
}

export interface SimTemplate {
  readonly id: string;
  readonly name: string;
  readonly sizeBytes: number;
  readonly account: string;
  readonly featured: boolean;
}

export type VolumeType = 'ROOT' | 'DATADISK';

export interface SimVolume {
  readonly id: string;
  readonly internalId: number;
  name: string;
  readonly type: VolumeType;
  state: string;
  sizeBytes: number;
  readonly zoneId: string;
  readonly account: string;
  readonly projectId: string | null;
  readonly diskOfferingId: string | null;
  vmId: string | null;
  deviceId: number | null;
  attached: number | null;
  readonly created: number;
  pendingJobId: string | null;
}

export interface SimVm {
  readonly id: string;
  readonly internalId: number;
  readonly name: string;
  displayName: string;
  state: string;
  readonly zoneId: string;
  readonly account: string;
  readonly projectId: string | null;
  readonly templateId: string;
  readonly serviceOfferingId: string;
  readonly created: number;
  readonly macAddress: string;
  readonly ipAddress: string;
  /** VM snapshots on the VM (they block attach, detach and revert). */
  vmSnapshots: number;
  pendingJobId: string | null;
  /** When a destroyed (not expunged) VM will be expunged. */
  expungeAt: number | null;
}

export interface SimSnapshot {
  readonly id: string;
  readonly internalId: number;
  readonly name: string;
  readonly volumeId: string;
  state: string;
  readonly created: number;
  /** Size of the volume when taken (what a revert restores). */
  readonly virtualSizeBytes: number;
  readonly account: string;
  readonly zoneId: string;
  pendingJobId: string | null;
}

/** Resource types accepted by createTags/deleteTags/listTags. */
export const TAG_RESOURCE_TYPES = ['Volume', 'Snapshot', 'UserVm', 'VMSnapshot'] as const;
export type TagResourceType = (typeof TAG_RESOURCE_TYPES)[number];

export interface SimTag {
  readonly key: string;
  readonly value: string;
  readonly resourceType: TagResourceType;
  readonly resourceId: string;
  readonly account: string;
}

/** Kinds of objects whose UUIDs parameters can reference. */
export type SimObjectKind =
  'volume' | 'vm' | 'snapshot' | 'zone' | 'serviceoffering' | 'diskoffering' | 'template' | 'job';
