/**
 * Issue 18 regression: under the shipped unit, conf.d (ReadWritePaths=) and STATE_DIR
 * (StateDirectory=) are two mounts of ONE filesystem (same st_dev), and rename(2) between mounts
 * fails with EXDEV. Reproduced here with bind mounts in a private mount namespace (`unshare -m`,
 * root only) around a real export add through NbdExportManager.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./helpers/add-export-once.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
const NAME = 'migration-vol-5b0c6a52-1d0e-4c55-8a3f-0d6f6ad1e001';
const PATH = '/dev/disk/by-id/virtio-5b0c6a521d0e4c558a3f';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('atomic-write-mounts: skipped, needs root for unshare -m and bind mounts');

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omarec-mounts-'));
  await mkdir(join(root, 'etc/nbd-server/conf.d'), { recursive: true });
  await mkdir(join(root, 'var/lib/oma-reconciler'), { recursive: true });
  await writeFile(
    join(root, 'etc/nbd-server/config-base'),
    `[generic]\nincludedir = ${join(root, 'etc/nbd-server/conf.d')}\n[dummy]\nexportname = /dev/null\n`,
  );
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.skipIf(!isRoot)('export writes under the unit mount layout', () => {
  it('adds an export when conf.d and STATE_DIR are two mounts of one filesystem', async () => {
    const confDir = join(root, 'etc/nbd-server/conf.d');
    const stateDir = join(root, 'var/lib/oma-reconciler');
    // Same device, as under ProtectSystem=strict + ReadWritePaths= + StateDirectory=.
    expect((await stat(confDir)).dev).toBe((await stat(stateDir)).dev);
    const script = [
      'set -e',
      // Each path becomes its own mount (a bind mount onto itself), then the rest of / is read-only.
      `mount --bind "$1" "$1"`,
      `mount --bind "$2" "$2"`,
      // Prove the layout: both are mount points (field 5 of mountinfo) in this namespace.
      `awk -v a="$1" -v b="$2" '$5 == a { fa = 1 } $5 == b { fb = 1 } END { exit !(fa && fb) }' /proc/self/mountinfo`,
      `exec "${process.execPath}" --import "file://${TSX}" "${CHILD}" "$3" "$1" "$2" "${NAME}" "${PATH}"`,
    ].join('\n');
    const { stdout } = await run('unshare', [
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'sh',
      confDir,
      stateDir,
      join(root, 'etc/nbd-server/config-base'),
    ]);
    const outcome = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      ok: boolean;
      status?: string;
      reason?: string;
      code?: string;
      message?: string;
    };
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true, status: 'applied' });
    expect(await readFile(join(confDir, `${NAME}.conf`), 'utf8')).toContain(`exportname = ${PATH}\n`);
    // No temp file left behind, in conf.d or the state directory.
    expect((await readdir(confDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
