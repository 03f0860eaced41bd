/**
 * Plays the OMA's kernel + udev for the simulator: when CloudStack attaches a volume to the OMA VM,
 * `virtio-<serial>` appears in the by-id directory, pointing at a sparse file of the volume's size
 * (so "seeking the device" gives its size); on detach the link goes. Same layout as the project's
 * test fixtures (a regular file as the link target, never a loop device).
 */
import { lstat, mkdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { byIdPath } from '../devices/volume-serial.js';

export class SimUdev {
  /** False: links never appear (the by-id wait then times out, as on a broken host). */
  enabled = true;
  created = 0;
  removed = 0;

  constructor(
    readonly byIdDir: string,
    readonly devicesDir: string,
  ) {}

  /** The link path of a volume (the daemon's by-id rule). */
  pathOf(volumeId: string): string {
    return byIdPath(volumeId, this.byIdDir);
  }

  /** A volume was attached to the OMA: create its link (idempotent). */
  async attached(volumeId: string, sizeBytes: number): Promise<void> {
    if (!this.enabled) return;
    const device = join(this.devicesDir, `${volumeId}.img`);
    await mkdir(this.devicesDir, { recursive: true });
    await writeFile(device, '', { flag: 'a' });
    await truncate(device, Math.max(0, sizeBytes));
    await symlink(device, this.pathOf(volumeId)).then(
      () => {
        this.created++;
      },
      (e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      },
    );
  }

  /** A volume left the OMA: remove its link (idempotent). */
  async detached(volumeId: string): Promise<void> {
    if (!this.enabled) return;
    const path = this.pathOf(volumeId);
    const present = await lstat(path).then(
      () => true,
      () => false,
    );
    if (!present) return;
    await rm(path, { force: true });
    this.removed++;
  }
}
