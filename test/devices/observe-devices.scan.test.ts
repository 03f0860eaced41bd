import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchDeviceLinks, observeDevices, scanDeviceLinks } from '../../src/devices/observe-devices.js';

const VOL_A = 'b3bb9310-1b59-4f62-97e8-cefffdfe3804';
const VOL_C = '5e1f0a2b-3c4d-4e5f-8a9b-aaaaaaaaaaaa';
const VOL_D = '5e1f0a2b-3c4d-4e5f-8a9b-bbbbbbbbbbbb';
const options = { scanOpenFiles: false } as const;

let root: string;
let byId: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'omarec-devscan-'));
  byId = join(root, 'by-id');
  await mkdir(byId);
  await mkdir(join(root, 'dev'));
  for (const node of ['vdb', 'vdd']) await writeFile(join(root, 'dev', node), '');
  await symlink('../dev/vdb', join(byId, 'virtio-b3bb93101b594f6297e8'));
  await symlink('../dev/vdd', join(byId, 'virtio-5e1f0a2b3c4d4e5f8a9b'));
  await symlink('../dev/gone', join(byId, 'virtio-1234567890abcdef1234'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('by-id scan before the volume ids are known', () => {
  it('maps a scan made first to the same links as observing with the ids', async () => {
    const scan = await scanDeviceLinks(byId, options);
    const known = [VOL_A, VOL_C, VOL_D];
    expect(matchDeviceLinks(scan, known)).toEqual(await observeDevices(byId, known, options));
    const links = matchDeviceLinks(scan, known).facts.links;
    expect(links.map((l) => [l.name, l.volumeId, l.ambiguousWith])).toEqual([
      ['virtio-1234567890abcdef1234', null, []],
      ['virtio-5e1f0a2b3c4d4e5f8a9b', null, [VOL_C, VOL_D]],
      ['virtio-b3bb93101b594f6297e8', VOL_A, []],
    ]);
    expect(links[0]?.target).toBeNull();
  });

  it('reports an unreadable directory as an incomplete observation, not as no links', async () => {
    const scan = await scanDeviceLinks(join(root, 'absent'), options);
    const observed = matchDeviceLinks(scan, [VOL_A]);
    expect(observed.complete).toBe(false);
    expect(observed.error).toMatch(/cannot read/);
  });
});
