import { describe, expect, it } from 'vitest';
import { byIdPath } from '../../../src/world/by-id.js';
import {
  isLegacyExportName,
  isProtectedExportName,
  sanitizeVmName,
  testVmUnixSuffix,
  volumeIdFromExportName,
} from '../../../reconcilers/lib/names.js';

describe('the appliance naming rules', () => {
  it('builds the by-id path from the first 20 hex characters of the volume id', () => {
    expect(byIdPath('b3bb9310-1b59-4f62-97e8-cefffdfe3804', '/dev/disk/by-id')).toBe(
      '/dev/disk/by-id/virtio-b3bb93101b594f6297e8',
    );
    expect(byIdPath('b3bb9310-1b59-4f62-97e8-cefffdfe3804', '/tmp/ids/')).toBe('/tmp/ids/virtio-b3bb93101b594f6297e8');
  });

  it.each([
    ['Web Server_01-test-1772400000', 'web-server-01-test-1772400000'],
    ['--DB--Prod--', 'db-prod'],
    ['2019-sql', 'vm-2019-sql'],
    [`${'a'.repeat(60)}-test-1772400000`, `${'a'.repeat(60)}-te`],
    [`${'b'.repeat(62)}-test-1772400000`, 'b'.repeat(62)],
  ])('sanitises %s like the failover engine', (name, expected) => {
    expect(sanitizeVmName(name)).toBe(expected);
  });

  it('recognises test VM names, current and legacy export names, and protected exports', () => {
    expect(testVmUnixSuffix('web-test-1772400000')).toBe('1772400000');
    expect(testVmUnixSuffix('web-test-17724')).toBeNull();
    expect(volumeIdFromExportName('migration-vol-b3bb9310-1b59')).toBe('b3bb9310-1b59');
    expect(volumeIdFromExportName('migration-vol-')).toBeNull();
    expect(isLegacyExportName('migration-vm-4201-disk0')).toBe(true);
    expect(isLegacyExportName('migration-vol-x')).toBe(false);
    expect(['dummy', 'GENERIC', 'backup-ctx-disk0-full-20260301T000000'].every(isProtectedExportName)).toBe(true);
    expect(isProtectedExportName('migration-vol-x')).toBe(false);
  });
});
