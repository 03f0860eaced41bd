/**
 * Is a by-id scan plausible? A directory that holds none of the links the volumes CloudStack shows
 * attached to the OMA imply is as implausible as an empty listing: most likely the wrong directory
 * (DEVICE_BY_ID_DIR) or devices not visible to this process. Such a scan makes the devices source
 * incomplete, so nothing is decided from it (issue 15: an empty directory rewrote every
 * `device_mappings.device_path`). Pure.
 */
import type { CsVolume, DeviceLink } from '../world/world.js';

/** Why the scan of `dir` cannot be believed, or null when it can (or when nothing is expected). */
export function implausibleDeviceScan(
  dir: string,
  links: readonly Pick<DeviceLink, 'volumeId'>[],
  volumes: readonly Pick<CsVolume, 'id' | 'virtualMachineId'>[],
  omaVmId: string | null,
): string | null {
  if (omaVmId === null) return null;
  const attached = volumes.filter((v) => v.virtualMachineId === omaVmId).map((v) => v.id);
  if (attached.length === 0) return null;
  const linked = new Set(links.map((l) => l.volumeId).filter((id): id is string => id !== null));
  if (attached.some((id) => linked.has(id))) return null;
  return (
    `${dir} holds none of the by-id links of the ${attached.length} volume(s) CloudStack shows attached to the OMA VM ` +
    `(e.g. volume ${attached[0] ?? '?'}); wrong DEVICE_BY_ID_DIR, or the devices are not visible to this process`
  );
}
