import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authfilePath,
  isManagedAuthfile,
  parseAuthfile,
  readAuthfileState,
  renderAuthfile,
  writeAuthfile,
} from '../../src/nbd/authfile.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omarec-auth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('authfiles', () => {
  it('reads entries as nbd-server does: # comments, leading blanks, first word only', () => {
    expect(parseAuthfile('# header\n  127.0.0.1  trailing words\n\n10.0.0.0/8#comment\n   \n::1\n')).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
    ]);
  });

  it('tells open (no file), deny (no entries) and allow apart', async () => {
    const path = join(dir, 'x.allow');
    expect((await readAuthfileState(path)).state).toBe('open');
    expect((await readAuthfileState(null)).state).toBe('open');
    await writeFile(path, '# only a comment\n');
    expect((await readAuthfileState(path)).state).toBe('deny');
    await writeAuthfile(path, ['127.0.0.1', '192.168.0.0/16']);
    expect(await readAuthfileState(path)).toEqual({ state: 'allow', entries: ['127.0.0.1', '192.168.0.0/16'] });
    await writeAuthfile(path, []);
    expect((await readAuthfileState(path)).state).toBe('deny');
  });

  it('refuses allow-list entries that are not numeric addresses', () => {
    for (const bad of ['localhost', '127.0.0.1/33', '1.2.3.4/8/9', '::1/200', '127.0.0.1 # x', '']) {
      expect(() => renderAuthfile([bad])).toThrow(/not a numeric IP address or CIDR/);
    }
    expect(renderAuthfile(['127.0.0.1', 'fd00::/8'])).toBe('127.0.0.1\nfd00::/8\n');
  });

  it('places authfiles under STATE_DIR/nbd-auth and recognises only those as managed', () => {
    expect(authfilePath('/var/lib/oma-reconciler', 'migration-vol-x')).toBe(
      '/var/lib/oma-reconciler/nbd-auth/migration-vol-x.allow',
    );
    expect(isManagedAuthfile('/var/lib/oma-reconciler', '/var/lib/oma-reconciler/nbd-auth/a.allow')).toBe(true);
    expect(isManagedAuthfile('/var/lib/oma-reconciler', '/etc/nbd-server/a.allow')).toBe(false);
    expect(isManagedAuthfile('/var/lib/oma-reconciler', '/var/lib/oma-reconciler/nbd-auth/sub/a.allow')).toBe(false);
    expect(isManagedAuthfile('/var/lib/oma-reconciler', null)).toBe(false);
  });
});
