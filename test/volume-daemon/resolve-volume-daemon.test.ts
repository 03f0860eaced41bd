/**
 * `volumeDaemon.url`/`mode` (config and environment) and `resolveVolumeDaemon`: which path volume
 * operations take with the daemon up, down, or not answering, in each mode.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';
import { resolveVolumeDaemon } from '../../src/volume-daemon/resolve-volume-daemon.js';
import type { VolumeDaemonSimulator } from '../../src/volume-daemon-simulator/start-volume-daemon-simulator.js';
import { startDaemonEnv, type DaemonEnv } from '../volume-daemon-simulator/helpers/daemon-env.js';

let env: DaemonEnv;
let daemon: VolumeDaemonSimulator;
let downUrl = '';

beforeAll(async () => {
  env = await startDaemonEnv();
  daemon = await env.startDaemon();
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  downUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) =>
    probe.close(() => {
      resolve();
    }),
  );
});
afterAll(async () => {
  await env.close();
});

const config = (url: string, mode: 'auto' | 'required' | 'off') => configSchema.parse({ volumeDaemon: { url, mode } });

describe('config', () => {
  it('defaults to auto at http://127.0.0.1:8090 and reads VOLUME_DAEMON_URL / VOLUME_DAEMON_MODE', () => {
    expect(loadConfig({ env: {} }).volumeDaemon).toEqual({ url: 'http://127.0.0.1:8090', mode: 'auto' });
    expect(
      loadConfig({ env: { VOLUME_DAEMON_URL: 'http://10.0.0.5:9000', VOLUME_DAEMON_MODE: 'required' } }).volumeDaemon,
    ).toEqual({ url: 'http://10.0.0.5:9000', mode: 'required' });
  });

  it('names the variable, the value and what is allowed', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ env: { VOLUME_DAEMON_URL: 'ftp://x', VOLUME_DAEMON_MODE: 'sometimes' } });
    } catch (e) {
      if (e instanceof ConfigError) problems = e.problems;
    }
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.startsWith('VOLUME_DAEMON_MODE'))).toMatch(
      /"sometimes" is not allowed: .*auto.*required.*off/,
    );
    expect(problems.find((p) => p.startsWith('VOLUME_DAEMON_URL'))).toMatch(/"ftp:\/\/x" is not allowed/);
  });
});

describe('resolveVolumeDaemon with the daemon up', () => {
  it('auto and required use it (with a working client); off acts directly without probing', async () => {
    for (const mode of ['auto', 'required'] as const) {
      const r = await resolveVolumeDaemon(config(daemon.url, mode));
      expect(r.mode).toBe('daemon');
      if (r.mode !== 'daemon') throw new Error('unreachable');
      expect(r.health.status).toBe('healthy');
      expect(await r.client.listVmVolumes(env.omaVmId)).toEqual([]);
    }
    let probed = false;
    const r = await resolveVolumeDaemon(config(daemon.url, 'off'), {
      fetch: () => {
        probed = true;
        return Promise.reject(new Error('must not probe'));
      },
    });
    expect(r).toEqual({ mode: 'direct', reason: expect.stringMatching(/volumeDaemon\.mode is off/) });
    expect(probed).toBe(false);
  });
});

describe('resolveVolumeDaemon with the daemon down', () => {
  it('auto → direct, required → unavailable, both naming host:port and errno; off → direct', async () => {
    const hostPort = downUrl.slice('http://'.length);
    const auto = await resolveVolumeDaemon(config(downUrl, 'auto'));
    expect(auto.mode).toBe('direct');
    expect(auto.mode !== 'daemon' && auto.reason).toMatch(
      new RegExp(`auto .*GET /health: cannot reach the Volume Daemon at ${hostPort}: ECONNREFUSED`),
    );
    const required = await resolveVolumeDaemon(config(downUrl, 'required'));
    expect(required.mode).toBe('unavailable');
    expect(required.mode !== 'daemon' && required.reason).toMatch(new RegExp(`required .*${hostPort}: ECONNREFUSED`));
    expect((await resolveVolumeDaemon(config(downUrl, 'off'))).mode).toBe('direct');
  });

  it('a daemon that does not answer /health within the probe timeout counts as down', async () => {
    const server: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await resolveVolumeDaemon(config(url, 'required'), { probeTimeoutMs: 100 });
      expect(r.mode).toBe('unavailable');
      expect(r.mode !== 'daemon' && r.reason).toMatch(
        /no answer from the Volume Daemon at 127\.0\.0\.1:\d+ within 100 ms/,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a crashed daemon is down', async () => {
    const crashing = await env.startDaemon();
    await crashing.crash();
    expect((await resolveVolumeDaemon(config(crashing.url, 'auto'))).mode).toBe('direct');
  });
});
