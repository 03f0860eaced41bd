import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the contract defaults when nothing is set', () => {
    const c = loadConfig({ env: {} });
    expect(c.databaseUrl).toBe('mysql://root@127.0.0.1:3306/migratekit_oma');
    expect(c.httpListen).toEqual({ host: '127.0.0.1', port: 9470 });
    expect(c.nbd.confDir).toBe('/etc/nbd-server/conf.d');
    expect(c.nbd.address).toEqual({ host: '127.0.0.1', port: 10809 });
    expect(c.mode).toBe('enforce');
    expect(c.apiToken).toBeUndefined();
  });

  it('reports every bad key at once, naming the variable, the value and what is allowed', () => {
    const found = problems(() =>
      loadConfig({ env: { DATABASE_URL: 'nonsense', HTTP_LISTEN: ':99999', RECONCILE_MODE: 'yolo' } }),
    );
    expect(found).toHaveLength(3);
    expect(found.find((p) => p.startsWith('DATABASE_URL'))).toMatch(/"nonsense".*mysql:\/\//);
    expect(found.find((p) => p.startsWith('HTTP_LISTEN'))).toMatch(/":99999".*0 to 65535/);
    expect(found.find((p) => p.startsWith('RECONCILE_MODE'))).toMatch(/"yolo".*enforce.*dry-run.*observe/);
  });

  it('never echoes a secret value in an error', () => {
    const found = problems(() => loadConfig({ env: { API_TOKEN: 'short-secret' } }));
    expect(found.join('\n')).not.toContain('short-secret');
    expect(found[0]).toMatch(/^API_TOKEN/);
  });

  it('layers defaults < file < environment < flags', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/omarec-config-`);
    const file = `${dir}/config.json`;
    writeFileSync(file, JSON.stringify({ stateDir: '/srv/file', logLevel: 'debug', mode: 'observe' }));
    const c = loadConfig({
      file,
      env: { STATE_DIR: '/srv/env', LOG_LEVEL: 'warn' },
      flags: { logLevel: { flag: '--log-level', value: 'error' } },
    });
    expect(c.stateDir).toBe('/srv/env');
    expect(c.logLevel).toBe('error');
    expect(c.mode).toBe('observe');
  });

  it('names unknown keys and bad values from a config file', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/omarec-config-`)}/c.json`;
    writeFileSync(file, JSON.stringify({ stateDirr: '/x', schedule: { jitterMs: -1 } }));
    const found = problems(() => loadConfig({ file, env: {} }));
    expect(found.join('\n')).toMatch(/key "stateDirr": unknown setting/);
    expect(found.join('\n')).toMatch(/schedule\.jitterMs\): -1 is not allowed/);
  });

  it('reads NBD_RESTART_COMMAND as space-separated words and refuses one that names no command', () => {
    expect(loadConfig({ env: {} }).nbd.restartCommand).toEqual([]);
    expect(
      loadConfig({ env: { NBD_RESTART_COMMAND: '  /usr/bin/systemctl  restart nbd-server.service ' } }).nbd
        .restartCommand,
    ).toEqual(['/usr/bin/systemctl', 'restart', 'nbd-server.service']);
    expect(loadConfig({ env: { NBD_RESTART_COMMAND: '' } }).nbd.restartCommand).toEqual([]);
    const found = problems(() => loadConfig({ env: { NBD_RESTART_COMMAND: '$(reboot) now' } }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^NBD_RESTART_COMMAND.*"\$\(reboot\) now".*command/);
  });

  it('returns a frozen object', () => {
    const c = loadConfig({ env: {} });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.nbd)).toBe(true);
  });
});
