/**
 * Who holds a volume's block device on the OMA (holders, mounts, open files from the device facts).
 * A busy device is never detached or handed to a cleanup: a mount, a device-mapper holder or a
 * virt-v2v still working on it means the volume is in use (incident 7).
 */
import type { WorldIndex } from './world-index.js';

/**
 * The users of the volume's device, or an empty list when it is idle or unknown (no link, or the
 * device facts are incomplete: the actuator re-checks before it acts). `nbd-server` opens can be
 * left out when the caller expects them (an export being served).
 */
export function deviceUsers(idx: WorldIndex, volumeId: string, options: { ignoreNbdServer?: boolean } = {}): string[] {
  if (!idx.world.sources.devices.complete) return [];
  const users = idx.linksByVolume.get(volumeId)?.busy ?? [];
  return options.ignoreNbdServer ? users.filter((u) => !u.includes('(nbd-server)')) : [...users];
}
