/**
 * The by-id rule, in one place (`cloudstack-api.md` §9, `oma-system.md` §2.5): CloudStack's KVM
 * disk serial is the volume UUID without hyphens, first 20 characters (VIRTIO_BLK_ID_BYTES), and the
 * OMA sees the attached volume as `<dir>/virtio-<serial>`. Pure and unchecked: callers that take a
 * volume id from outside validate it first (`src/devices/volume-serial.ts`).
 *
 * @example byIdPath('b3bb9310-1b59-4f62-97e8-cefffdfe3804') // '/dev/disk/by-id/virtio-b3bb93101b594f6297e8'
 */

/** Length of the virtio-blk serial field (VIRTIO_BLK_ID_BYTES). */
export const SERIAL_LENGTH = 20;

/** Where udev puts the by-id links on the appliance. */
export const DEFAULT_BY_ID_DIR = '/dev/disk/by-id';

/** The KVM serial of a volume id: hyphens removed, first 20 characters, lower case. */
export function virtioSerial(volumeId: string): string {
  // Canonical UUIDs (8-4-4-4-12, every volume id in practice) are cut without a regex: this runs
  // for every mapping, export and link of a pass.
  if (volumeId.length === 36 && volumeId[8] === '-' && volumeId[13] === '-' && volumeId[18] === '-') {
    return (
      volumeId.slice(0, 8) +
      volumeId.slice(9, 13) +
      volumeId.slice(14, 18) +
      volumeId.slice(19, 23)
    ).toLowerCase();
  }
  return volumeId.replace(/-/g, '').slice(0, SERIAL_LENGTH).toLowerCase();
}

/** The virtio by-id path of a volume: `<dir>/virtio-<serial>` (a trailing `/` on `dir` is ignored). */
export function byIdPath(volumeId: string, dir: string = DEFAULT_BY_ID_DIR): string {
  return `${dir.endsWith('/') ? dir.replace(/\/+$/, '') : dir}/virtio-${virtioSerial(volumeId)}`;
}
