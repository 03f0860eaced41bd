import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { byIdPath, matchSerial, serialFromLinkName, volumeSerial } from '../../src/devices/volume-serial.js';

describe('KVM disk serials', () => {
  it('cuts the hyphen-free volume id to 20 characters (the appliance and CloudStack examples)', () => {
    expect(volumeSerial('b3bb9310-1b59-4f62-97e8-cefffdfe3804')).toBe('b3bb93101b594f6297e8');
    expect(volumeSerial('0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b')).toBe('0b5f3d1c6f8a4a439a53');
    expect(byIdPath('b3bb9310-1b59-4f62-97e8-cefffdfe3804')).toBe('/dev/disk/by-id/virtio-b3bb93101b594f6297e8');
    expect(byIdPath('B3BB9310-1B59-4F62-97E8-CEFFFDFE3804', '/tmp/by-id')).toBe(
      '/tmp/by-id/virtio-b3bb93101b594f6297e8',
    );
  });

  it('refuses a volume id that is not a UUID instead of building a path from it', () => {
    for (const bad of ['../../etc', 'abc def', '', 'zz-top']) expect(() => byIdPath(bad)).toThrow(InvalidInputError);
  });

  it.each([
    ['virtio-b3bb93101b594f6297e8', 'b3bb93101b594f6297e8'],
    ['scsi-0QEMU_QEMU_HARDDISK_b3bb93101b594f6297e8', 'b3bb93101b594f6297e8'],
    ['scsi-b3bb93101b594f6297e8', 'b3bb93101b594f6297e8'],
    ['virtio-B3BB93101B594F6297E8', 'b3bb93101b594f6297e8'],
    ['virtio-b3bb93101b594f6297e8-part1', null],
    ['scsi-0QEMU_QEMU_HARDDISK_b3bb93101b594f6297e8-part2', null],
    ['scsi-0QEMU_QEMU_HARDDISK_drive-scsi0-0-0-0', null],
    ['ata-QEMU_HARDDISK_QM00001', null],
    ['wwn-0x5000c500a1b2c3d4', null],
    ['virtio-b3bb93101b594f6297e8ff', null],
    ['dm-name-vg-root', null],
  ])('reads the serial of link %s as %s', (name, serial) => {
    expect(serialFromLinkName(name)).toBe(serial);
  });

  it('maps a serial to exactly one known volume, and reports a shared prefix instead of guessing', () => {
    const a = 'b3bb9310-1b59-4f62-97e8-cefffdfe3804';
    const b = 'b3bb9310-1b59-4f62-97e8-000000000001';
    const c = '0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b';
    expect(matchSerial('0b5f3d1c6f8a4a439a53', [a, c])).toEqual({ volumeId: c, ambiguousWith: [] });
    expect(matchSerial('b3bb93101b594f6297e8', [a, b, c])).toEqual({ volumeId: null, ambiguousWith: [b, a] });
    expect(matchSerial('ffffffffffffffffffff', [a, b, c])).toEqual({ volumeId: null, ambiguousWith: [] });
  });
});
