import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readNbdConfig } from '../../src/nbd/read-nbd-config.js';

let dir: string;
let confDir: string;
let baseConfig: string;
const section = (name: string, extra = ''): string =>
  `[${name}]\nexportname = /dev/disk/by-id/virtio-${name}\n${extra}`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omarec-nbdcfg-'));
  confDir = join(dir, 'conf.d');
  baseConfig = join(dir, 'config-base');
  await mkdir(confDir);
  await writeFile(
    baseConfig,
    `[generic]\nport = 10809\nincludedir = ${confDir}\n${section('dummy', 'readonly = true\n')}`,
  );
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readNbdConfig', () => {
  it('reads the files nbd-server reads: *.conf and dotfiles, not symlinks, .tmp, .CONF or directories', async () => {
    await writeFile(join(confDir, 'A.conf'), section('A'));
    await writeFile(join(confDir, '.H.conf'), section('H'));
    await writeFile(join(confDir, '.conf'), section('X'));
    await writeFile(join(confDir, 'T.conf.tmp'), section('T'));
    await writeFile(join(confDir, 'W.conf~'), section('W'));
    await writeFile(join(confDir, 'U.CONF'), section('U'));
    await mkdir(join(confDir, 'sub.conf'));
    await writeFile(join(dir, 'target.conf'), section('L'));
    await symlink(join(dir, 'target.conf'), join(confDir, 'L.conf'));
    const snap = await readNbdConfig({ baseConfig, confDir });
    expect(snap.parseErrors).toEqual([]);
    expect(snap.readError).toBeNull();
    expect(snap.exports[0]?.name).toBe('dummy');
    expect(snap.exports.map((e) => e.name).sort()).toEqual(['A', 'H', 'X', 'dummy']);
    expect(snap.confFiles.map((f) => f.slice(confDir.length + 1)).sort()).toEqual(['.H.conf', '.conf', 'A.conf']);
  });

  it('keeps both definitions of a name defined in two files, base config first', async () => {
    await writeFile(join(confDir, 'dup.conf'), section('dummy'));
    const snap = await readNbdConfig({ baseConfig, confDir });
    expect(snap.exports.filter((e) => e.name === 'dummy').map((e) => e.file)).toEqual([
      baseConfig,
      join(confDir, 'dup.conf'),
    ]);
  });

  it('reports a file nbd-server could not load and takes no export from it', async () => {
    await writeFile(join(confDir, 'good.conf'), section('good'));
    await writeFile(join(confDir, 'bad.conf'), `${section('bad')}this line is garbage\n`);
    await writeFile(join(confDir, 'value.conf'), section('value', 'readonly = yes\n'));
    await writeFile(join(confDir, 'nopath.conf'), '[nopath]\nreadonly = true\n');
    await writeFile(join(confDir, 'generic.conf'), '[generic]\nport = 1\n');
    const snap = await readNbdConfig({ baseConfig, confDir });
    expect(snap.exports.map((e) => e.name).sort()).toEqual(['dummy', 'good']);
    const errors = Object.fromEntries(snap.parseErrors.map((p) => [p.file.slice(confDir.length + 1), p.error]));
    expect(errors).toEqual({
      'bad.conf': expect.stringMatching(/line 3: .*not a key-value pair/),
      'value.conf': expect.stringMatching(/could not parse readonly in group value/),
      'nopath.conf': expect.stringMatching(/required value exportname in group nopath/),
      'generic.conf': expect.stringMatching(/required value exportname in group generic/),
    });
  });

  it('decodes escapes in values and reads the authfile', async () => {
    await writeFile(join(confDir, 'A.conf'), '[A]\nexportname = /a\\sb\nauthfile = /state/nbd-auth/A.allow\n');
    const snap = await readNbdConfig({ baseConfig, confDir });
    expect(snap.exports.find((e) => e.name === 'A')).toMatchObject({
      exportname: '/a b',
      authfile: '/state/nbd-auth/A.allow',
    });
  });

  it('insists on [generic] as the first section of the base config', async () => {
    await writeFile(baseConfig, `${section('A')}[generic]\nincludedir = ${confDir}\n`);
    const snap = await readNbdConfig({ baseConfig, confDir });
    expect(snap.parseErrors).toEqual([{ file: baseConfig, error: expect.stringMatching(/\[generic\] group first/) }]);
  });

  it('flags a base config whose includedir is not the configured conf.d', async () => {
    await writeFile(baseConfig, `[generic]\nincludedir = /etc/nbd-server/conf.d\n${section('dummy')}`);
    const snap = await readNbdConfig({ baseConfig, confDir });
    expect(snap.parseErrors[0]?.error).toMatch(/includedir \/etc\/nbd-server\/conf.d is not the configured conf.d/);
  });

  it('flags a config without any export, on which nbd-server would not start, naming the files to fix', async () => {
    await writeFile(baseConfig, `[generic]\nincludedir = ${confDir}\n`);
    const snap = await readNbdConfig({ baseConfig, confDir, backupDir: '/state/backups/nbd' });
    expect(snap.parseErrors).toEqual([
      {
        file: baseConfig,
        error:
          `no export is configured: the base config ${baseConfig} defines none and ${confDir} holds no *.conf file, ` +
          `so nbd-server would not start ("The config file does not specify any exports"; a running one keeps its old ` +
          `exports until it restarts). Fix: restore the exports' files in ${confDir} (copies of the files the ` +
          `reconciler changed or removed are in /state/backups/nbd), or add an export to ${baseConfig}, such as the ` +
          `OMA's placeholder [dummy] with exportname = /dev/null and readonly = true`,
      },
    ]);
    // Comment-only files are read but define nothing (the server starts only with an export).
    await writeFile(join(confDir, 'A.conf'), '# emptied\n');
    const emptied = await readNbdConfig({ baseConfig, confDir });
    expect(emptied.parseErrors[0]?.error).toMatch(
      /^no export is configured: .* none of the 1 \*\.conf file\(s\) in .* defines one, .* Fix: restore the exports' files in [^ ]+, or add/,
    );
  });

  it('reports an unreadable conf.d or base config as a read error instead of an empty list', async () => {
    await rm(confDir, { recursive: true });
    const noDir = await readNbdConfig({ baseConfig, confDir });
    expect(noDir.readError).toMatch(/cannot read conf.d .*ENOENT/);
    await writeFile(confDir, 'not a directory');
    expect((await readNbdConfig({ baseConfig, confDir })).readError).toMatch(/cannot read conf.d .*ENOTDIR/);
    expect((await readNbdConfig({ baseConfig: join(dir, 'missing'), confDir })).readError).toMatch(
      /cannot read base config/,
    );
  });
});
