import { realpath } from 'node:fs/promises';
import { deviceUsage, loadUsageIndex } from '../devices/device-usage.js';

/**
 * Who uses the block device behind a by-id link: kernel holders, mounts, processes holding it open
 * (virt-v2v, an NBD session). Empty when idle or when the link does not exist (nothing on the OMA
 * can be using a device the OMA does not see).
 */
export async function busyDeviceUsers(byIdPath: string): Promise<readonly string[]> {
  const target = await realpath(byIdPath).catch(() => null);
  if (target === null) return [];
  return deviceUsage(target, await loadUsageIndex());
}
