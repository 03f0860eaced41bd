import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nbdConfigWatch } from '../../src/daemon/nbd-watch.js';
import { testConfig } from './test-config.js';

const dirs: string[] = [];

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('nbdConfigWatch', () => {
  it('calls back when an export file appears in conf.d, and stops after close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oma-nbd-watch-'));
    dirs.push(dir);
    const confDir = join(dir, 'conf.d');
    await mkdir(confDir);
    await writeFile(join(dir, 'config-base'), '[generic]\nincludedir = conf.d\n');
    const nbd = testConfig({ nbd: { baseConfig: join(dir, 'config-base'), confDir, watchDebounceMs: 20 } }).nbd;
    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((r) => {
      ready = r;
    });
    let changes = 0;
    let changed: () => void = () => undefined;
    const firstChange = new Promise<void>((r) => {
      changed = r;
    });
    const close = nbdConfigWatch(
      nbd,
      ready,
    )(() => {
      changes++;
      changed();
    });
    await isReady;
    await writeFile(join(confDir, 'migration-vol-1.conf'), '[migration-vol-1]\nexportname = /dev/vdb\n');
    await firstChange;
    await close();
    expect(changes).toBe(1);
  });
});
