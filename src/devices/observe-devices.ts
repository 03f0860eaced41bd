/**
 * The devices source of an observation pass: every disk-serial link in `DEVICE_BY_ID_DIR`
 * (`virtio-<serial>` and the virtio-scsi variants; `-partN` links ignored), mapped to a volume id
 * by the 20-character prefix rule — an ambiguous prefix is reported, never guessed — resolved to
 * its device, with who uses that device. An unreadable directory makes the source incomplete.
 */
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
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

function incomplete(error: string): DeviceObservation {
  return { facts: { links: [] }, complete: false, error, inventory: 0 };
}

/**
 * Scans `dir` (normally `/dev/disk/by-id`) against the volume ids the database and CloudStack
 * know. Never throws for a missing or unreadable directory: the observation is incomplete instead.
 */
export async function observeDevices(dir: string, knownVolumeIds: readonly string[], options: DeviceUsageOptions = {}): Promise<DeviceObservation> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (e) {
    return incomplete(`cannot read ${dir}: ${(e as Error).message}`);
  }
  let index: UsageIndex;
  try {
    index = await loadUsageIndex(options);
  } catch (e) {
    // Without mount information a busy device would look idle: do not pretend to know.
    return incomplete(`cannot read mount information: ${(e as Error).message}`);
  }
  const serials = serialIndex(knownVolumeIds);
  const links: DeviceLink[] = [];
  for (const name of names) {
    const serial = serialFromLinkName(name);
    if (serial === null) continue;
    const path = join(dir, name);
    const target = await realpath(path).catch(() => null);
    const match = matchSerialIn(serials, serial);
    const busy = target === null ? [] : await deviceUsage(target, index, options);
    links.push({ name, path, target, volumeId: match.volumeId, ambiguousWith: match.ambiguousWith, busy });
  }
  return { facts: { links }, complete: true, inventory: links.length };
}
