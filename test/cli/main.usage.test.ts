import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { runCli } from '../../src/cli/main.js';

function io(env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _e, cb) {
        append(chunk.toString());
        cb();
      },
    });
  return {
    streams: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env },
    out: () => out,
    err: () => err,
  };
}

describe('oma-reconciler command line', () => {
  it('lists every contract command in --help', async () => {
    const t = io();
    expect(await runCli(['--help'], t.streams)).toBe(0);
    for (const name of ['run', 'plan', 'apply', 'explain', 'cleanup', 'undo', 'migrate', 'simulator', 'demo']) {
      expect(t.out()).toContain(`  ${name}`);
    }
  });

  it.each(COMMANDS.map((c) => c.name))('prints the usage of %s with --help and exits 0', async (name) => {
    const t = io();
    expect(await runCli([name, '--help'], t.streams)).toBe(0);
    expect(t.out()).toMatch(new RegExp(`^Usage: oma-reconciler ${name}`));
    expect(t.out()).toContain('--config FILE');
  });

  it('prints the version with --version; a development run says so instead of a commit', async () => {
    const t = io();
    expect(await runCli(['--version'], t.streams)).toBe(0);
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(t.out()).toBe(`oma-reconciler ${version} (commit unknown, development build)\n`);
  });

  it('exits 2 on an unknown command or flag', async () => {
    const a = io();
    expect(await runCli(['frobnicate'], a.streams)).toBe(2);
    expect(a.err()).toContain('unknown command "frobnicate"');
    const b = io();
    expect(await runCli(['plan', '--bogus'], b.streams)).toBe(2);
    expect(b.err()).toMatch(/bogus/);
  });

  it('stops on invalid configuration with exit 2, naming every bad key and changing nothing', async () => {
    const t = io({ DATABASE_URL: 'nonsense', HTTP_LISTEN: ':99999' });
    expect(await runCli(['plan'], t.streams)).toBe(2);
    expect(t.err()).toMatch(/DATABASE_URL \(databaseUrl\): "nonsense" is not allowed/);
    expect(t.err()).toMatch(/HTTP_LISTEN \(httpListen\): ":99999" is not allowed/);
    expect(t.out()).toBe('');
  });

  it('refuses an unknown drift kind in --only with the allowed list', async () => {
    const t = io();
    expect(await runCli(['plan', '--only', 'orphan-volume,made-up'], t.streams)).toBe(2);
    expect(t.err()).toMatch(/unknown drift kind "made-up"; allowed: orphan-volume, missing-volume/);
  });

  it.each([
    [['plan', 'extra-positional'], 'plan takes no arguments; unexpected "extra-positional"'],
    [['run', 'now'], 'run takes no arguments; unexpected "now"'],
    [['demo', 'x'], 'demo takes no arguments; unexpected "x"'],
    [['explain', 'a', 'b'], 'explain: unexpected argument "b"'],
    [['undo', '1', '2'], 'undo: unexpected argument "2"'],
  ])('refuses unknown positionals %j with exit 2 and the one error prefix', async (argv, message) => {
    const t = io();
    expect(await runCli(argv, t.streams)).toBe(2);
    expect(t.err()).toBe(`oma-reconciler: error: ${message}\n`);
    expect(t.out()).toBe('');
  });

  it('uses the one error prefix for an unknown command and bad configuration too', async () => {
    const a = io();
    await runCli(['frobnicate'], a.streams);
    expect(a.err()).toMatch(/^oma-reconciler: error: unknown command "frobnicate"\n/);
    const b = io({ DATABASE_URL: 'nonsense' });
    await runCli(['plan'], b.streams);
    expect(b.err()).toMatch(/^oma-reconciler: error: invalid configuration:\n/);
  });
});
