/**
 * `oma-reconciler volume-daemon-simulator`: configured by the reconciler's environment, serves the
 * daemon's API on --port until SIGINT; a bad fault list is a usage error naming its origin.
 */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { VolumeDaemonClient } from '../../src/volume-daemon/volume-daemon-client.js';
import { startDaemonEnv, type DaemonEnv } from './helpers/daemon-env.js';

const BIN = fileURLToPath(new URL('../../bin/oma-reconciler.js', import.meta.url));
let env: DaemonEnv;

beforeAll(async () => {
  env = await startDaemonEnv();
});
afterAll(async () => {
  await env.close();
});

function appEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: env.db.url,
    NBD_BASE_CONFIG: env.dirs.baseConfig,
    NBD_CONF_DIR: env.dirs.confDir,
    NBD_PID_FILE: env.dirs.pidFile,
    DEVICE_BY_ID_DIR: env.dirs.byIdDir,
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

describe('oma-reconciler volume-daemon-simulator', () => {
  it('serves the daemon on the environment’s database, CloudStack and directories, and stops on SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'volume-daemon-simulator', '--port', '0'], {
      env: appEnv({ VOLUME_DAEMON_SIM_FAULTS: '-hup-per-change' }),
      stdio: 'pipe',
    });
    let out = '';
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /url: +(\S+)/.exec(out);
        if (m?.[1] && out.includes('faults:')) resolve(m[1]);
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      void exit.then((code) => {
        reject(new Error(`exited with ${String(code)}: ${out}`));
      });
    });
    try {
      expect(out).toMatch(
        /faults: duplicate-mapping, detach-keeps-export, delete-skips-detach, link-timeout, no-resume\n/,
      );
      const client = new VolumeDaemonClient({ url, pollIntervalMs: 20 });
      const volumeId = await env.addVolume();
      const done = await client.waitForOperation((await client.attachVolume(volumeId, env.omaVmId)).id);
      expect(done.status).toBe('completed');
      expect((await client.listVmVolumes(env.omaVmId)).map((v) => v.volume_id)).toEqual([volumeId]);
      expect(env.cs.state.getVolume(volumeId)?.vmId).toBe(env.omaVmId);
      const stats = (await (await fetch(`${url}/sim/stats`)).json()) as {
        operations: { attach: unknown };
        hups: number;
      };
      expect(stats).toMatchObject({ operations: { attach: { started: 1, completed: 1, failed: 0 } }, hups: 0 });
      const switched = await fetch(`${url}/sim/faults`, {
        method: 'POST',
        body: JSON.stringify({ 'link-timeout': false }),
      });
      expect(await switched.json()).toMatchObject({
        'link-timeout': false,
        'duplicate-mapping': true,
        'hup-per-change': false,
      });
      const bad = await fetch(`${url}/sim/faults`, { method: 'POST', body: JSON.stringify({ dupe: true }) });
      expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([
        400,
        expect.stringMatching(/unknown Volume Daemon simulator fault "dupe"/),
      ]);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exit).toBe(0);
    expect(out).toContain('Volume Daemon simulator stopped');
  });

  it('refuses an unknown fault, naming where it came from', async () => {
    let stderr = '';
    const sink = (onText: (t: string) => void) =>
      new Writable({
        write: (c: Buffer | string, _e, cb) => {
          onText(String(c));
          cb();
        },
      });
    const code = await runCli(['volume-daemon-simulator', '--faults', 'dupe'], {
      stdout: sink(() => undefined),
      stderr: sink((t) => (stderr += t)),
      env: appEnv(),
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--faults: unknown fault "dupe"/);
  });
});
