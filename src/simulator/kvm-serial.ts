/**
 * The KVM disk serial rule: CloudStack sets a disk's libvirt `<serial>` to the volume UUID without
 * hyphens, cut to 20 characters, and udev links `/dev/disk/by-id/virtio-<serial>` to the disk.
 */

/** `0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b` → `0b5f3d1c6f8a4a439a53`. */
export function kvmDiskSerial(volumeId: string): string {
  return volumeId.replace(/-/g, '').slice(0, 20);
}

/** The by-id link name a guest sees for a volume: `virtio-<serial>`. */
export function virtioByIdName(volumeId: string): string {
  return `virtio-${kvmDiskSerial(volumeId)}`;
}

/**
 * The by-id names a guest of `vmId` would see: `virtio-<serial>` → volume id, for every volume
 * attached to it (what tests mirror as symlinks under a fake `/dev/disk/by-id`).
 */
export function virtioByIdMap(volumeIds: Iterable<string>): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const id of volumeIds) out.set(virtioByIdName(id), id);
  return out;
}
