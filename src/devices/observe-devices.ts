/**
 * The devices source of an observation pass: every disk-serial link in `DEVICE_BY_ID_DIR`
 * (`virtio-<serial>` and the virtio-scsi variants; `-partN` links ignored), mapped to a volume id
 * by the 20-character prefix rule — an ambiguous prefix is reported, never guessed — resolved to
 * its device, with who uses that device. An unreadable directory makes the source incomplete.
 */
import { realpathSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { forEachTimeSliced } from '../time-slices.js';
import type { DeviceFacts, DeviceLink } from '../world/world.js';
import { deviceUsage, loadUsageIndex, type DeviceUsageOptions, type UsageIndex } from './device-usage.js';
import { matchSerialIn, serialFromLinkName, serialIndex } from './volume-serial.js';

/** The devices source status and facts of one pass. */
export interface DeviceObservation {
  readonly facts: DeviceFacts;
  readonly complete: boolean;
  readonly error?: string;
  /** Number of disk-serial links seen. */
  readonly inventory: number;
}

/** Shared by every idle link (one frozen array instead of one per link). */
const IDLE: readonly string[] = Object.freeze([]);

/** The link's resolved target (libc realpath, as `fs.promises.realpath`), or null when dangling. */
function realpathOrNull(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}

function incomplete(error: string): DeviceObservation {
  return { facts: { links: [] }, complete: false, error, inventory: 0 };
}

/** The links of one scan before they are matched to volume ids (the I/O half of an observation). */
export type DeviceScan =
  | {
      readonly complete: true;
      readonly links: readonly (Omit<DeviceLink, 'volumeId' | 'ambiguousWith'> & { readonly serial: string })[];
    }
  | { readonly complete: false; readonly error: string };

/**
 * Reads `dir` (normally `/dev/disk/by-id`): every disk-serial link, its target and who uses it.
 * Needs no volume ids, so a pass starts it alongside the database and CloudStack reads. Never
 * throws for a missing or unreadable directory: the scan is incomplete instead.
 */
export async function scanDeviceLinks(dir: string, options: DeviceUsageOptions = {}): Promise<DeviceScan> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (e) {
    return { complete: false, error: `cannot read ${dir}: ${(e as Error).message}` };
  }
  let index: UsageIndex;
  try {
    index = await loadUsageIndex(options);
  } catch (e) {
    // Without mount information a busy device would look idle: do not pretend to know.
    return { complete: false, error: `cannot read mount information: ${(e as Error).message}` };
  }
  const resolved: { name: string; path: string; target: string | null; serial: string }[] = [];
  // One realpath per link, synchronously in time slices (see time-slices.ts for why).
  await forEachTimeSliced(names, (name) => {
    const serial = serialFromLinkName(name);
    if (serial === null) return;
    const path = join(dir, name);
    resolved.push({ name, path, target: realpathOrNull(path), serial });
  });
  const links = [];
  for (const link of resolved) {
    const busy = link.target === null ? IDLE : await deviceUsage(link.target, index, options);
    links.push({ ...link, busy: busy.length === 0 ? IDLE : busy });
  }
  return { complete: true, links };
}

/** Maps the scanned links to the volume ids the database and CloudStack know (pure). */
export function matchDeviceLinks(scan: DeviceScan, knownVolumeIds: readonly string[]): DeviceObservation {
  if (!scan.complete) return incomplete(scan.error);
  const serials = serialIndex(knownVolumeIds);
  const links: DeviceLink[] = scan.links.map(({ name, path, target, serial, busy }) => {
    const match = matchSerialIn(serials, serial);
    return { name, path, target, volumeId: match.volumeId, ambiguousWith: match.ambiguousWith, busy };
  });
  return { facts: { links }, complete: true, inventory: links.length };
}

/**
 * Scans `dir` (normally `/dev/disk/by-id`) against the volume ids the database and CloudStack
 * know. Never throws for a missing or unreadable directory: the observation is incomplete instead.
 */
export async function observeDevices(
  dir: string,
  knownVolumeIds: readonly string[],
  options: DeviceUsageOptions = {},
): Promise<DeviceObservation> {
  return matchDeviceLinks(await scanDeviceLinks(dir, options), knownVolumeIds);
}
