import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { NbdExportManager } from '../../src/nbd/nbd-export-manager.js';

const GOOD_NAME = 'migration-vol-b3bb9310-1b59-4f62-97e8-cefffdfe3804';
const GOOD_PATH = '/dev/disk/by-id/virtio-b3bb93101b594f6297e8';

/** Hostile export names (each paired with a valid path). */
const HOSTILE_NAMES: readonly [string, unknown][] = [
  ['brackets', '[x]'],
  ['closing bracket', 'a]b'],
  ['opening bracket', 'a[b'],
  ['newline', 'line\nbreak'],
  ['carriage return', 'cr\rname'],
  ['tab', 'tab\there'],
  ['hash', 'a#b'],
  ['backslash', 'back\\slash'],
  ['inner space', 'my disk'],
  ['leading space', ' leading'],
  ['trailing space', 'trailing '],
  ['generic', 'generic'],
  ['GENERIC', 'GENERIC'],
  ['Generic', 'Generic'],
  ['dotfile', '.hidden'],
  ['only the suffix', '.conf'],
  ['double dot', '..'],
  ['leading dash', '-rf'],
  ['5,000-byte name', 'x'.repeat(5000)],
  ['129 characters', 'v'.repeat(129)],
  ['non-ASCII', 'disk-é'],
  ['emoji', 'vol-😀'],
  ['equals sign', 'a=b'],
  ['semicolon', 'a;b'],
  ['slash', 'a/b'],
  ['NUL', 'nul\0byte'],
  ['empty', ''],
  ['percent (virtstyle)', 'a%sb'],
  ['single quote', "quote'name"],
  ['double quotes', '"dq"'],
  ['not a string', 42],
  ['null', null],
];

/** Hostile exportname paths (each paired with a valid name). */
const HOSTILE_PATHS: readonly [string, unknown][] = [
  ['relative path', 'dev/disk/by-id/virtio-x'],
  ['relative with dot', './disk.img'],
  ['parent traversal', '/dev/disk/../../etc/shadow'],
  ['dot segment', '/dev/./vdb'],
  ['double slash', '/dev//vdb'],
  ['trailing slash', '/dev/vdb/'],
  ['root', '/'],
  ['inner space', '/var/lib/my disk.img'],
  ['escaped space', '/var/lib/a\\sb.img'],
  ['hash (inline comment)', '/dev/vdb # the data disk'],
  ['newline', '/dev/vdb\n[evil]\nexportname = /etc/shadow'],
  ['NUL', '/dev/vdb\0'],
  ['trailing space', '/dev/vdb '],
  ['leading space', ' /dev/vdb'],
  ['non-ASCII', '/dev/disk/by-id/virtio-é'],
  ['5,000-byte path', `/${'a'.repeat(5000)}`],
  ['percent (virtstyle)', '/srv/%s/disk'],
  ['quotes', '"/dev/vdb"'],
  ['empty', ''],
  ['not a string', ['/dev/vdb']],
];

async function snapshotTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path] = entry.isFile() ? await readFile(path, 'utf8') : `<${entry.isDirectory() ? 'dir' : 'other'}>`;
  }
  return out;
}

describe('hostile export names and paths', () => {
  let root: string;
  let manager: NbdExportManager;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'omarec-hostile-'));
    await mkdir(join(root, 'conf.d'));
    await mkdir(join(root, 'state'));
    await writeFile(
      join(root, 'config-base'),
      `[generic]\nincludedir = ${join(root, 'conf.d')}\n[dummy]\nexportname = /dev/null\n`,
    );
    manager = new NbdExportManager({
      baseConfig: join(root, 'config-base'),
      confDir: join(root, 'conf.d'),
      pidFile: join(root, 'no-server.pid'),
      address: { host: '127.0.0.1', port: 9 },
      stateDir: join(root, 'state'),
    });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('has a corpus of at least 30 hostile inputs', () => {
    expect(HOSTILE_NAMES.length + HOSTILE_PATHS.length).toBeGreaterThanOrEqual(30);
  });

  it.each([
    ...HOSTILE_NAMES.map(([label, name]) => [`name: ${label}`, { name, exportname: GOOD_PATH }] as const),
    ...HOSTILE_PATHS.map(([label, exportname]) => [`path: ${label}`, { name: GOOD_NAME, exportname }] as const),
    ['readonly: "yes"', { name: GOOD_NAME, exportname: GOOD_PATH, readonly: 'yes' }] as const,
  ])('refuses %s without writing a byte', async (_label, spec) => {
    const before = await snapshotTree(root);
    const outcome = await manager.addExport(spec as never);
    expect(outcome.status).toBe('refused');
    expect(outcome.error).toBeInstanceOf(InvalidInputError);
    expect(outcome.reason.length).toBeGreaterThan(10);
    expect(outcome.reason.length).toBeLessThan(400);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('writes exactly the snippet and its authfile for a valid spec (the snapshot does see writes)', async () => {
    const before = await snapshotTree(root);
    const outcome = await manager.addExport({ name: GOOD_NAME, exportname: GOOD_PATH });
    expect(outcome.status).toBe('applied');
    const after = await snapshotTree(root);
    const added = Object.keys(after)
      .filter((p) => !(p in before))
      .map((p) => p.slice(root.length + 1))
      .sort();
    expect(added).toEqual([
      `conf.d/${GOOD_NAME}.conf`,
      'state/nbd-auth',
      `state/nbd-auth/${GOOD_NAME}.allow`,
      'state/nbd-pending.json',
    ]);
    expect(after[join(root, 'conf.d', `${GOOD_NAME}.conf`)]).toContain(`[${GOOD_NAME}]\nexportname = ${GOOD_PATH}\n`);
  });

  it('refuses a name that another file already defines, and writes nothing', async () => {
    const before = await snapshotTree(root);
    const outcome = await manager.addExport({ name: 'dummy', exportname: GOOD_PATH });
    expect(outcome).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/already defined in .*config-base/),
    });
    expect(outcome.error).toBeInstanceOf(InvalidInputError);
    expect(await snapshotTree(root)).toEqual(before);
  });
});
