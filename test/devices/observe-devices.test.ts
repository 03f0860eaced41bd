import { mkdir, mkdtemp, open, rm, symlink, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeDevices } from '../../src/devices/observe-devices.js';

const VOL_A = 'b3bb9310-1b59-4f62-97e8-cefffdfe3804';
const VOL_B = '0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b';
// C and D share the first 20 hex characters: one serial, two candidate volumes.
const VOL_C = '5e1f0a2b-3c4d-4e5f-8a9b-aaaaaaaaaaaa';
const VOL_D = '5e1f0a2b-3c4d-4e5f-8a9b-bbbbbbbbbbbb';
const VOL_SCSI = '77aa88bb-99cc-4ddd-8eee-ffff00001111';

let root: string;
let byId: string;
let dev: string;
let sys: string;
let mountinfo: string;
let held: FileHandle | null = null;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'omarec-devices-'));
  byId = join(root, 'by-id');
  dev = join(root, 'dev');
  sys = join(root, 'sys-class-block');
  for (const d of [byId, dev, sys]) await mkdir(d);
  for (const node of ['vdb', 'vdc', 'vdd', 'vde', 'sda', 'vdf']) await writeFile(join(dev, node), '');
  await writeFile(join(dev, 'vdb1'), '');
  const link = (target: string, name: string): Promise<void> => symlink(target, join(byId, name));
  await link('../dev/vdb', 'virtio-b3bb93101b594f6297e8');
  await link('../dev/vdb1', 'virtio-b3bb93101b594f6297e8-part1');
  await link('../dev/vdc', 'virtio-0b5f3d1c6f8a4a439a53');
  await link('../dev/vdd', 'virtio-5e1f0a2b3c4d4e5f8a9b');
  await link('../dev/sda', 'scsi-0QEMU_QEMU_HARDDISK_77aa88bb99cc4ddd8eee');
  await link('../dev/vde', 'virtio-ffffffffffffffffffff');
  await link('../dev/missing', 'virtio-1234567890abcdef1234');
  await link('../dev/vdf', 'ata-QEMU_HARDDISK_QM00001');
  // Fake sysfs: vdb has a mounted partition, vdc is held by device-mapper, vde is idle.
  await mkdir(join(sys, 'vdb', 'vdb1', 'holders'), { recursive: true });
  await mkdir(join(sys, 'vdb', 'holders'), { recursive: true });
  await writeFile(join(sys, 'vdb', 'dev'), '252:16\n');
  await writeFile(join(sys, 'vdb', 'vdb1', 'dev'), '252:17\n');
  await writeFile(join(sys, 'vdb', 'vdb1', 'partition'), '1\n');
  await mkdir(join(sys, 'vdc', 'holders', 'dm-0'), { recursive: true });
  await writeFile(join(sys, 'vdc', 'dev'), '252:32\n');
  await mkdir(join(sys, 'vde', 'holders'), { recursive: true });
  await writeFile(join(sys, 'vde', 'dev'), '252:64\n');
  mountinfo = join(root, 'mountinfo');
  await writeFile(
    mountinfo,
    [
      '22 27 0:21 / /proc rw,relatime - proc proc rw',
      '90 27 252:17 / /mnt/failover\\040data rw,relatime shared:40 - ext4 /dev/vdb1 rw',
      `91 27 0:50 / /mnt/other rw - ext4 ${join(dev, 'sda')} rw`,
      '',
    ].join('\n'),
  );
  // This test process holds the vdd node open, as an nbd-server child would.
  held = await open(join(dev, 'vdd'), 'r');
});

afterAll(async () => {
  await held?.close();
  await rm(root, { recursive: true, force: true });
});

describe('observeDevices', () => {
  it('maps by-id links to volume ids, reports a shared prefix as ambiguous, and says who uses each device', async () => {
    const obs = await observeDevices(byId, [VOL_A, VOL_B, VOL_C, VOL_D, VOL_SCSI], { sysClassBlock: sys, mountinfo });
    expect(obs.complete).toBe(true);
    expect(obs.inventory).toBe(6);
    const byName = Object.fromEntries(obs.facts.links.map((l) => [l.name, l]));
    expect(Object.keys(byName).sort()).toEqual([
      'scsi-0QEMU_QEMU_HARDDISK_77aa88bb99cc4ddd8eee',
      'virtio-0b5f3d1c6f8a4a439a53',
      'virtio-1234567890abcdef1234',
      'virtio-5e1f0a2b3c4d4e5f8a9b',
      'virtio-b3bb93101b594f6297e8',
      'virtio-ffffffffffffffffffff',
    ]);
    expect(byName['virtio-b3bb93101b594f6297e8']).toMatchObject({
      path: join(byId, 'virtio-b3bb93101b594f6297e8'),
      target: join(dev, 'vdb'),
      volumeId: VOL_A,
      ambiguousWith: [],
      busy: ['mount:/mnt/failover data (vdb1)'],
    });
    expect(byName['virtio-0b5f3d1c6f8a4a439a53']).toMatchObject({ volumeId: VOL_B, busy: ['holder:dm-0'] });
    expect(byName['virtio-5e1f0a2b3c4d4e5f8a9b']).toMatchObject({ volumeId: null, ambiguousWith: [VOL_C, VOL_D] });
    expect(byName['virtio-5e1f0a2b3c4d4e5f8a9b']?.busy).toEqual([
      expect.stringMatching(new RegExp(`^open:${process.pid}\\(`)),
    ]);
    expect(byName['scsi-0QEMU_QEMU_HARDDISK_77aa88bb99cc4ddd8eee']).toMatchObject({
      volumeId: VOL_SCSI,
      busy: ['mount:/mnt/other (sda)'],
    });
    expect(byName['virtio-ffffffffffffffffffff']).toMatchObject({ volumeId: null, ambiguousWith: [], busy: [] });
    expect(byName['virtio-1234567890abcdef1234']).toMatchObject({ target: null, volumeId: null, busy: [] });
  });

  it('is incomplete, never empty, when the by-id directory cannot be read', async () => {
    const obs = await observeDevices(join(root, 'no-such-dir'), [VOL_A]);
    expect(obs).toMatchObject({ complete: false, inventory: 0, facts: { links: [] } });
    expect(obs.error).toMatch(/cannot read .*no-such-dir/);
  });

  it('is incomplete when mount information is unavailable, so a busy device never looks idle', async () => {
    const obs = await observeDevices(byId, [VOL_A], { sysClassBlock: sys, mountinfo: join(root, 'nope') });
    expect(obs.complete).toBe(false);
    expect(obs.error).toMatch(/mount information/);
  });
});
