import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isNbdConfigPath, watchNbdConfig, type NbdConfigWatcher } from '../../src/nbd/watch-nbd-config.js';

let root: string;
let watcher: NbdConfigWatcher | null = null;
const paths = (): { baseConfig: string; confDir: string } => ({
  baseConfig: join(root, 'config-base'),
  confDir: join(root, 'conf.d'),
});

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omarec-watch-'));
  await mkdir(join(root, 'conf.d'));
  await writeFile(join(root, 'config-base'), '[generic]\n');
});

afterEach(async () => {
  await watcher?.close();
  watcher = null;
  await rm(root, { recursive: true, force: true });
});

describe('watchNbdConfig', () => {
  it('cares about the base config and conf.d/*.conf (dotfiles too), not temp files or subdirectories', () => {
    const p = paths();
    const rel = (name: string): boolean => isNbdConfigPath(p, join(root, name));
    expect(['config-base', 'conf.d/a.conf', 'conf.d/.hidden.conf', 'conf.d/.conf'].map(rel)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      [
        'config-base.tmp',
        'conf.d/a.conf.tmp',
        'conf.d/a.conf~',
        'conf.d/A.CONF',
        'conf.d/sub/x.conf',
        'other.conf',
      ].map(rel),
    ).toEqual([false, false, false, false, false, false]);
  });

  it('emits one debounced "changed" per burst, including an atomic rename over the base config', async () => {
    const events: string[] = [];
    let notify: (() => void) | null = null;
    const next = (): Promise<void> => new Promise((resolve) => (notify = resolve));
    watcher = watchNbdConfig(paths(), 150, (event) => {
      events.push(event);
      notify?.();
    });
    await watcher.ready;

    let seen = next();
    for (const n of ['a', 'b', 'c']) {
      await writeFile(join(root, 'conf.d', `${n}.conf`), `[${n}]\nexportname = /dev/null\n`);
    }
    await seen;
    expect(events).toEqual(['changed']);

    seen = next();
    await writeFile(join(root, 'config-base.tmp'), '[generic]\nport = 10810\n');
    await rename(join(root, 'config-base.tmp'), join(root, 'config-base'));
    await seen;
    expect(events).toEqual(['changed', 'changed']);

    seen = next();
    await rm(join(root, 'conf.d', 'b.conf'));
    await seen;
    expect(events).toHaveLength(3);
  });
});
