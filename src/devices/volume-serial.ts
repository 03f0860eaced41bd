/**
 * CloudStack's KVM disk serial and the udev by-id names built from it (`cloudstack-api.md` §9,
 * `oma-system.md` §2.5): serial = volume UUID without hyphens, first 20 characters; the guest
 * sees `/dev/disk/by-id/virtio-<serial>` (virtio-blk) or `scsi-0QEMU_QEMU_HARDDISK_<serial>` /
 * `scsi-<serial>` (virtio-scsi). Only the 20-character prefix survives, so a serial is mapped back
 * by matching prefixes against known volume ids.
 */
import { InvalidInputError } from '../errors.js';
import { byIdPath as byIdPathOf, virtioSerial } from '../world/by-id.js';

/** By-id name prefixes, most specific first (the CSI drivers try the same three). */
const LINK_PREFIXES = ['virtio-', 'scsi-0QEMU_QEMU_HARDDISK_', 'scsi-'] as const;

const VOLUME_ID = /^[0-9A-Fa-f][0-9A-Fa-f-]*$/;

/** The KVM serial of a CloudStack volume id (the rule in `world/by-id.ts`); throws on a non-UUID id. */
export function volumeSerial(volumeId: string): string {
  if (!VOLUME_ID.test(volumeId)) {
    throw new InvalidInputError(`volume id ${JSON.stringify(volumeId.slice(0, 80))} is not a UUID`, 'volumeId');
  }
  return virtioSerial(volumeId);
}

/** The virtio by-id path of a volume id taken from outside: validated, then the one rule of `world/by-id.ts`. */
export function byIdPath(volumeId: string, dir?: string): string {
  volumeSerial(volumeId);
  return byIdPathOf(volumeId, dir);
}

/**
 * The serial carried by a by-id link name, or null when the name is not a disk-serial link
 * (partition links `-partN`, `ata-…`, `wwn-…`, scsi names without a hex serial…).
 */
export function serialFromLinkName(name: string): string | null {
  if (/-part\d+$/.test(name)) return null;
  for (const prefix of LINK_PREFIXES) {
    if (!name.startsWith(prefix)) continue;
    const serial = name.slice(prefix.length);
    return /^[0-9a-fA-F]{1,20}$/.test(serial) ? serial.toLowerCase() : null;
  }
  return null;
}

/** Result of mapping one serial to the known volume ids. */
export interface SerialMatch {
  readonly volumeId: string | null;
  /** Every known id with that prefix when more than one matched (never guessed between). */
  readonly ambiguousWith: readonly string[];
}

/** Known volume ids grouped by their serial, built once per scan (see {@link matchSerialIn}). */
export type SerialIndex = ReadonlyMap<string, readonly string[]>;

/**
 * Groups the known volume ids by serial (ids that are not UUIDs never match and are left out).
 * Building it once makes matching every link of a scan linear in links + ids; matching each link
 * against the whole id list cost 10⁸ serial computations on a 10,000-VM appliance.
 */
export function serialIndex(knownVolumeIds: readonly string[]): SerialIndex {
  const index = new Map<string, Set<string>>();
  for (const id of knownVolumeIds) {
    if (!VOLUME_ID.test(id)) continue;
    const serial = volumeSerial(id);
    const ids = index.get(serial);
    if (ids) ids.add(id);
    else index.set(serial, new Set([id]));
  }
  return new Map([...index].map(([serial, ids]) => [serial, [...ids].sort()]));
}

/** Shared by every unambiguous link (one frozen array instead of one per link). */
const NONE: readonly string[] = Object.freeze([]);

/** Maps a serial back to a volume id through an index of the known ids (prefix rule, never guessed). */
export function matchSerialIn(index: SerialIndex, serial: string): SerialMatch {
  const matches = index.get(serial) ?? NONE;
  if (matches.length === 1) return { volumeId: matches[0] ?? null, ambiguousWith: NONE };
  return { volumeId: null, ambiguousWith: matches.length > 1 ? [...matches] : NONE };
}

/** Maps a serial back to a volume id by the 20-character prefix rule. */
export function matchSerial(serial: string, knownVolumeIds: readonly string[]): SerialMatch {
  return matchSerialIn(serialIndex(knownVolumeIds), serial);
}
