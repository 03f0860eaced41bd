import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NbdConfigBackups } from '../../src/nbd/config-backups.js';
import { NbdExportManager } from '../../src/nbd/nbd-export-manager.js';
import type { NbdExportManagerOptions } from '../../src/nbd/nbd-manager-context.js';

const NAME = 'migration-vol-0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b';
const PATH = '/dev/disk/by-id/virtio-0b5f3d1c6f8a4a439a53';

let root: string;
let options: NbdExportManagerOptions;
const confDir = (): string => join(root, 'etc', 'conf.d');

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omarec-writes-'));
  await mkdir(confDir(), { recursive: true });
  await mkdir(join(root, 'state'));
  await writeFile(
    join(root, 'etc', 'config-base'),
    `[generic]\nincludedir = ${confDir()}\n[dummy]\nexportname = /dev/null\n`,
  );
  options = {
    baseConfig: join(root, 'etc', 'config-base'),
    confDir: confDir(),
    pidFile: join(root, 'none.pid'),
    address: { host: '127.0.0.1', port: 9 },
    stateDir: join(root, 'state'),
  };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('export file writes', () => {
  it('leaves no partial .conf when the process dies between write and rename', async () => {
    let atCrash: { confD: string[]; tempPath: string; tempContent: string } | null = null;
    const manager = new NbdExportManager({
      ...options,
      beforeRename: async (tempPath) => {
        atCrash = { confD: await readdir(confDir()), tempPath, tempContent: await readFile(tempPath, 'utf8') };
        throw new Error('simulated crash between write and rename');
      },
    });
    await expect(manager.addExport({ name: NAME, exportname: PATH })).rejects.toThrow(/simulated crash/);
    expect(atCrash).not.toBeNull();
    const crash = atCrash as unknown as { confD: string[]; tempPath: string; tempContent: string };
    // At the crash point the complete text sits in a temp file in conf.d itself (a rename from any
    // other mount would fail with EXDEV under the unit), under a name nbd-server never parses.
    expect(dirname(crash.tempPath)).toBe(confDir());
    expect(crash.confD).toEqual([basename(crash.tempPath)]);
    expect(crash.tempPath).toMatch(/\/\.oma-reconciler-[^/]*\.tmp$/);
    expect(crash.confD.filter((f) => f.endsWith('.conf'))).toEqual([]);
    expect(crash.tempContent).toContain(`exportname = ${PATH}\n`);
    expect(await readdir(confDir())).toEqual([]);
  });

  it("writes export files with mode 0644 even under the unit's UMask=0077", async () => {
    const previous = process.umask(0o077);
    try {
      await new NbdExportManager(options).addExport({ name: NAME, exportname: PATH });
    } finally {
      process.umask(previous);
    }
    expect((await stat(join(confDir(), `${NAME}.conf`))).mode & 0o777).toBe(0o644);
  });

  it('restores a removed export byte for byte from its backup', async () => {
    const manager = new NbdExportManager(options);
    const applianceText = `[${NAME}]\nexportname = ${PATH}\nreadonly = false\nmultifile = false\ncopyonwrite = false\n`;
    const file = join(confDir(), `${NAME}.conf`);
    await writeFile(file, applianceText);

    const removed = await manager.removeExport(NAME);
    expect(removed).toMatchObject({ status: 'applied', change: 'none' });
    expect(removed.diff).toContain(`-exportname = ${PATH}`);
    expect(await readdir(confDir())).toEqual([]);
    expect(removed.backup).toMatch(new RegExp(`/state/backups/nbd/.*--${NAME}\\.conf$`));

    const restored = await manager.restoreBackup(removed.backup ?? '');
    expect(restored.status).toBe('applied');
    expect(await readFile(file, 'utf8')).toBe(applianceText);
    expect((await manager.restoreBackup(removed.backup ?? '')).status).toBe('refused');
  });

  it('keeps the newest backups per file and drops older ones', async () => {
    let t = Date.parse('2026-11-23T10:00:00Z');
    const backups = new NbdConfigBackups(join(root, 'state', 'backups', 'nbd'), 3, () => new Date((t += 1000)));
    const file = join(confDir(), 'x.conf');
    for (let i = 0; i < 5; i++) {
      await writeFile(file, `version ${i}\n`);
      await backups.backup(file);
    }
    const kept = await backups.list('x.conf');
    expect(kept).toHaveLength(3);
    expect(await Promise.all(kept.map((k) => readFile(k, 'utf8')))).toEqual([
      'version 2\n',
      'version 3\n',
      'version 4\n',
    ]);
    expect(await backups.backup(join(confDir(), 'missing.conf'))).toBeNull();
  });

  it('shows the diff in dry-run mode and writes nothing', async () => {
    const manager = new NbdExportManager(options);
    const outcome = await manager.addExport({ name: NAME, exportname: PATH }, { dryRun: true });
    expect(outcome.status).toBe('dry-run');
    expect(outcome.diff).toContain(`+++ ${join(confDir(), `${NAME}.conf`)}`);
    expect(outcome.diff).toContain(`+[${NAME}]`);
    expect(outcome.diff).toContain('+127.0.0.1');
    expect(await readdir(confDir())).toEqual([]);
    expect(await readdir(join(root, 'state'))).toEqual([]);
  });

  it('is idempotent: adding the same export twice writes once and backs nothing up', async () => {
    const manager = new NbdExportManager(options);
    const first = await manager.addExport({ name: NAME, exportname: PATH });
    const second = await manager.addExport({ name: NAME, exportname: PATH });
    expect(first.diff).not.toBe('');
    expect(second).toMatchObject({ status: 'applied', diff: '' });
    expect(second.backup).toBeUndefined();
    const changed = await manager.addExport({ name: NAME, exportname: `${PATH}-other` });
    expect(changed.diff).toContain(`-exportname = ${PATH}\n+exportname = ${PATH}-other`);
    expect(changed.backup).toBeDefined();
  });
});
