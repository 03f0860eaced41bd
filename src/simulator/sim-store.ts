/**
 * The simulator's world: catalog, accounts, VMs, volumes, snapshots, tags and tombstones of
 * removed objects (CloudStack still resolves a removed UUID: lists answer `{}`, actions 431).
 * Every mutation bumps `version`, which invalidates cached list queries.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import type {
  SimAccount,
  SimDiskOffering,
  SimObjectKind,
  SimServiceOffering,
  SimSnapshot,
  SimTag,
  SimTemplate,
  SimVm,
  SimVolume,
  SimZone,
  TagResourceType,
} from './sim-types.js';

const GiB = 1024 ** 3;

/** The ids of the catalog a fresh simulator starts with. */
export interface SimDefaults {
  readonly zoneId: string;
  readonly serviceOfferingId: string;
  readonly diskOfferingId: string;
  readonly templateId: string;
  /** The root-admin account owning the simulator's API key. */
  readonly account: string;
}

/** Whether a UUID names a live object, a removed one, or nothing this server ever had. */
export type Resolution = 'live' | 'removed' | 'unknown';

/** The mutable store behind the simulator: maps plus the primitives the API handlers share. */
export class SimStore {
  version = 0;
  readonly accounts = new Map<string, SimAccount>();
  readonly apiUsers = new Map<string, { readonly secretKey: string; readonly account: string }>();
  readonly zones = new Map<string, SimZone>();
  readonly serviceOfferings = new Map<string, SimServiceOffering>();
  readonly diskOfferings = new Map<string, SimDiskOffering>();
  readonly templates = new Map<string, SimTemplate>();
  readonly vms = new Map<string, SimVm>();
  readonly volumes = new Map<string, SimVolume>();
  readonly snapshots = new Map<string, SimSnapshot>();
  /** Tags by `<type>:<resource id>`. */
  readonly tags = new Map<string, SimTag[]>();
  /** vm id → device id → volume id. */
  readonly devices = new Map<string, Map<number, string>>();
  readonly removed = new Map<string, { readonly kind: SimObjectKind; readonly internalId: number }>();
  /** Per VM, no device id below this is free: keeps allocation O(1) when seeding thousands of disks onto one VM. */
  readonly #freeFrom = new Map<string, number>();
  readonly defaults: SimDefaults;
  #nextInternalId = 100;

  constructor(readonly now: () => number = Date.now) {
    const admin = this.ensureAccount('admin', true);
    const zone: SimZone = { id: randomUUID(), name: 'sim-zone-1' };
    const offering: SimServiceOffering = {
      id: randomUUID(),
      name: 'Small Instance',
      cpuNumber: 1,
      cpuSpeed: 1000,
      memory: 1024,
    };
    const disk: SimDiskOffering = { id: randomUUID(), name: 'Custom', diskSizeGiB: 0, customized: true };
    const template: SimTemplate = {
      id: randomUUID(),
      name: 'Ubuntu 22.04 (sim)',
      sizeBytes: 8 * GiB,
      account: 'system',
      featured: true,
    };
    this.zones.set(zone.id, zone);
    this.serviceOfferings.set(offering.id, offering);
    this.diskOfferings.set(disk.id, disk);
    this.templates.set(template.id, template);
    this.defaults = {
      zoneId: zone.id,
      serviceOfferingId: offering.id,
      diskOfferingId: disk.id,
      templateId: template.id,
      account: admin.name,
    };
  }

  /** Marks the state changed (cached list queries are recomputed). */
  touch(): void {
    this.version++;
  }

  /** A fresh internal (numeric) id, as CloudStack's database rows have. */
  nextInternalId(): number {
    return this.#nextInternalId++;
  }

  /** Returns the account, creating a (non-admin) one on first use. */
  ensureAccount(name: string, admin = false): SimAccount {
    let account = this.accounts.get(name);
    if (!account) {
      account = { name, id: randomUUID(), domainId: ROOT_DOMAIN_ID, domain: 'ROOT', userId: randomUUID(), admin };
      this.accounts.set(name, account);
    }
    return account;
  }

  /** Registers an API key pair for an account (created when new). */
  addApiUser(user: {
    readonly apiKey: string;
    readonly secretKey: string;
    readonly account?: string;
    readonly admin?: boolean;
  }): void {
    const account = this.ensureAccount(user.account ?? this.defaults.account, user.admin ?? false);
    this.apiUsers.set(user.apiKey, { secretKey: user.secretKey, account: account.name });
  }

  /** Where a UUID stands for a kind of object. */
  resolve(kind: SimObjectKind, id: string): Resolution {
    const live =
      kind === 'volume'
        ? this.volumes.has(id)
        : kind === 'vm'
          ? this.vms.has(id)
          : kind === 'snapshot'
            ? this.snapshots.has(id)
            : kind === 'zone'
              ? this.zones.has(id)
              : kind === 'serviceoffering'
                ? this.serviceOfferings.has(id)
                : kind === 'diskoffering'
                  ? this.diskOfferings.has(id)
                  : kind === 'template'
                    ? this.templates.has(id)
                    : false;
    if (live) return 'live';
    return this.removed.get(id)?.kind === kind ? 'removed' : 'unknown';
  }

  /** Internal id of a live or removed object (used in "Unable to find volume with ID: N"). */
  internalIdOf(id: string): number | null {
    return (
      this.volumes.get(id)?.internalId ??
      this.vms.get(id)?.internalId ??
      this.snapshots.get(id)?.internalId ??
      this.removed.get(id)?.internalId ??
      null
    );
  }

  /** Records an id as used, refusing duplicates (ids are unique across kinds here). */
  claimId(id: string | undefined): string {
    const chosen = id ?? randomUUID();
    if (this.volumes.has(chosen) || this.vms.has(chosen) || this.snapshots.has(chosen) || this.removed.has(chosen)) {
      throw new InvalidInputError(`id ${chosen} is already used in the simulator`, 'id');
    }
    return chosen;
  }

  /** Lowest free device id of a VM from 1 upward, skipping 3 (the CD-ROM). */
  lowestFreeDeviceId(vmId: string): number {
    const used = this.devices.get(vmId);
    let d = this.#freeFrom.get(vmId) ?? 1;
    while (d === 3 || used?.has(d)) d++;
    this.#freeFrom.set(vmId, d);
    return d;
  }

  /** Links a volume to a VM at a device id (no rule checks: that is the API's job). */
  link(volume: SimVolume, vmId: string, deviceId: number): void {
    let used = this.devices.get(vmId);
    if (!used) this.devices.set(vmId, (used = new Map<number, string>()));
    if (used.has(deviceId)) throw new InvalidInputError(`device id ${deviceId} of VM ${vmId} is taken`, 'deviceId');
    used.set(deviceId, volume.id);
    volume.vmId = vmId;
    volume.deviceId = deviceId;
    volume.attached = this.now();
    this.touch();
  }

  /** Clears a volume's attachment; the VM fields disappear from its API view. */
  unlink(volume: SimVolume): void {
    if (volume.vmId !== null && volume.deviceId !== null) {
      this.devices.get(volume.vmId)?.delete(volume.deviceId);
      const hint = this.#freeFrom.get(volume.vmId);
      if (hint !== undefined && volume.deviceId > 0 && volume.deviceId < hint) {
        this.#freeFrom.set(volume.vmId, volume.deviceId);
      }
    }
    volume.vmId = null;
    volume.deviceId = null;
    volume.attached = null;
    this.touch();
  }

  /** Removes a volume for good (its UUID keeps resolving as removed). Snapshots are kept. */
  dropVolume(volume: SimVolume): void {
    this.unlink(volume);
    this.volumes.delete(volume.id);
    this.tags.delete(`Volume:${volume.id}`);
    this.removed.set(volume.id, { kind: 'volume', internalId: volume.internalId });
  }

  /** Removes a snapshot row. */
  dropSnapshot(snapshot: SimSnapshot): void {
    this.snapshots.delete(snapshot.id);
    this.tags.delete(`Snapshot:${snapshot.id}`);
    this.removed.set(snapshot.id, { kind: 'snapshot', internalId: snapshot.internalId });
    this.touch();
  }

  /** Expunges a VM: ROOT volume removed, data disks detached (they stay Ready and listed). */
  expungeVm(vm: SimVm): void {
    for (const volumeId of [...(this.devices.get(vm.id)?.values() ?? [])]) {
      const volume = this.volumes.get(volumeId);
      if (!volume) continue;
      if (volume.type === 'ROOT') this.dropVolume(volume);
      else this.unlink(volume);
    }
    this.devices.delete(vm.id);
    this.#freeFrom.delete(vm.id);
    this.vms.delete(vm.id);
    this.tags.delete(`UserVm:${vm.id}`);
    this.removed.set(vm.id, { kind: 'vm', internalId: vm.internalId });
    this.touch();
  }

  /** Tags of one resource (empty array when none). */
  tagsOf(type: TagResourceType, id: string): readonly SimTag[] {
    return this.tags.get(`${type}:${id}`) ?? [];
  }

  /** Adds a tag row. */
  putTag(tag: SimTag): void {
    const key = `${tag.resourceType}:${tag.resourceId}`;
    const list = this.tags.get(key);
    if (list) list.push(tag);
    else this.tags.set(key, [tag]);
    this.touch();
  }

  /** A locally administered MAC and a private IP derived from an internal id. */
  static nicFor(internalId: number): { readonly macAddress: string; readonly ipAddress: string } {
    const b = randomBytes(1)[0] ?? 0;
    const hex = (n: number) => (n & 0xff).toString(16).padStart(2, '0');
    return {
      macAddress: `02:00:${hex(b)}:${hex(internalId >> 16)}:${hex(internalId >> 8)}:${hex(internalId)}`,
      ipAddress: `10.${(internalId >> 16) & 0xff}.${(internalId >> 8) & 0xff}.${internalId & 0xff}`,
    };
  }
}

/** The ROOT domain's id (fixed, like a fresh CloudStack install's first domain). */
export const ROOT_DOMAIN_ID = 'e4874e10-5fdf-11ea-9a56-1e006800018c';
