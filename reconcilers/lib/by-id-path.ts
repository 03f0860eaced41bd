/**
 * The by-id link of a CloudStack volume on the OMA (§2.5): dashes removed, first 20 hex characters,
 * `virtio-` prefix. `b3bb9310-1b59-4f62-97e8-cefffdfe3804` → `<dir>/virtio-b3bb93101b594f6297e8`.
 */
export function byIdPath(deviceByIdDir: string, volumeId: string): string {
  const serial = volumeId.replace(/-/g, '').slice(0, 20);
  return `${deviceByIdDir.replace(/\/+$/, '')}/virtio-${serial}`;
}
