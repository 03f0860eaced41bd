/**
 * The Volume Daemon client against the Volume Daemon simulator (MariaDB + CloudStack simulator):
 * every route's happy path, and errors that name the route, the status and the daemon's text, or
 * the host:port and errno when nothing answers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/volume-daemon/clock.js';
import {
  VolumeDaemonHttpError,
  VolumeDaemonNetworkError,
  VolumeDaemonOperationTimeoutError,
  VolumeDaemonProtocolError,
  VolumeDaemonRequestTimeoutError,
} from '../../src/volume-daemon/errors.js';
import { defaultOperationTimeoutMs, OPERATION_TIMEOUTS_MS } from '../../src/volume-daemon/operation-timeouts.js';
import { VolumeDaemonClient } from '../../src/volume-daemon/volume-daemon-client.js';
import type { VolumeDaemonSimulator } from '../../src/volume-daemon-simulator/start-volume-daemon-simulator.js';
import { GiB, startDaemonEnv, type DaemonEnv } from '../volume-daemon-simulator/helpers/daemon-env.js';

let env: DaemonEnv;
let daemon: VolumeDaemonSimulator;
let client: VolumeDaemonClient;

beforeAll(async () => {
  env = await startDaemonEnv();
  daemon = await env.startDaemon();
  client = env.client(daemon);
});
afterAll(async () => {
  await env.close();
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** A virtual clock: sleeping advances time at once and records the waits. */
function virtualClock(): Clock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('happy paths', () => {
  it('GET /health', async () => {
    expect(await client.health()).toMatchObject({
      status: 'healthy',
      service: 'volume-management-daemon',
      version: '1.0.0',
    });
  });

  it('create → wait → attach → device → vm volumes → detach → delete, and the operation listing', async () => {
    const create = await client.waitForOperation(
      (await client.createVolume({ name: 'migration-pgtest1-pgtest1-disk-7', size: 2 * GiB })).id,
    );
    expect(create).toMatchObject({
      type: 'create',
      status: 'completed',
      volume_id: '',
      response: { message: expect.any(String) },
    });
    const volumeId = String(create.response?.volume_id);

    const attach = await client.attachVolume(volumeId, env.omaVmId);
    expect(attach).toMatchObject({ type: 'attach', status: 'pending', volume_id: volumeId, vm_id: env.omaVmId });
    expect((await client.waitForOperation(attach.id, { omaVmId: env.omaVmId })).status).toBe('completed');
    expect(await client.getVolumeDevice(volumeId)).toMatchObject({
      volume_uuid: volumeId,
      vm_id: env.omaVmId,
      operation_mode: 'oma',
      size: 2 * GiB,
    });
    expect((await client.listVmVolumes(env.omaVmId)).map((v) => v.volume_id)).toContain(volumeId);

    const detach = await client.waitForOperation((await client.detachVolume(volumeId)).id);
    expect(detach).toMatchObject({ type: 'detach', status: 'completed' });
    expect(await client.getVolumeDevice(volumeId)).toBeNull();

    const del = await client.waitForOperation((await client.deleteVolume(volumeId)).id);
    expect(del).toMatchObject({ type: 'delete', status: 'completed', response: { volume_id: volumeId } });

    const forVolume = await client.listOperations({ volume_id: volumeId });
    expect(forVolume.map((o) => o.type).sort()).toEqual(['attach', 'delete', 'detach']);
    expect((await client.listOperations({ volume_id: volumeId, type: 'detach' })).map((o) => o.id)).toEqual([
      detach.id,
    ]);
    expect(await client.listOperations({ volume_id: volumeId, status: 'failed' })).toEqual([]);
    expect(await client.listOperations({ limit: 1 })).toHaveLength(1);
    expect(await client.getOperation(del.id)).toEqual(del);
  });

  it('attach-root to a stopped VM', async () => {
    const vm = env.cs.state.addVirtualMachine({ name: 'pgtest1-root', state: 'Stopped', withRootVolume: false });
    const volumeId = await env.addVolume({ type: 'ROOT' });
    const done = await client.waitForOperation((await client.attachVolumeAsRoot(volumeId, vm.id)).id);
    expect(done).toMatchObject({
      status: 'completed',
      response: { device_id: 0, device_path: `remote-vm-root-${vm.id}` },
    });
    expect(await client.listVmVolumes(vm.id)).toEqual([
      {
        volume_id: volumeId,
        vm_id: vm.id,
        device_path: `remote-vm-root-${vm.id}`,
        state: 'attached',
        size: 0,
        cloudstack_data: null,
      },
    ]);
  });

  it('an empty VM lists [] and a failed operation is returned, not thrown, with its error', async () => {
    expect(await client.listVmVolumes('no-such-vm')).toEqual([]);
    const volumeId = await env.addVolume({ attachedTo: env.testVmId });
    const failed = await client.waitForOperation((await client.attachVolume(volumeId, env.omaVmId)).id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/not attached to any VM/);
  });
});

describe('errors', () => {
  it('404 of an unknown operation names the route, the status and the daemon’s text', async () => {
    const e = await errorOf(client.getOperation('no-such-op'));
    expect(e).toBeInstanceOf(VolumeDaemonHttpError);
    expect(e).toMatchObject({
      status: 404,
      daemonError: 'operation not found: no-such-op',
      route: 'GET /api/v1/operations/no-such-op',
    });
    expect(e.message).toBe('GET /api/v1/operations/no-such-op: HTTP 404: operation not found: no-such-op');
    await expect(client.waitForOperation('no-such-op')).rejects.toThrow(/HTTP 404: operation not found: no-such-op/);
  });

  it('400 of a bad create names the daemon’s text', async () => {
    const e = await errorOf(client.createVolume({ name: '', size: 0 }));
    expect(e).toBeInstanceOf(VolumeDaemonHttpError);
    expect(e.message).toMatch(/^POST \/api\/v1\/volumes: HTTP 400: invalid request: name and a positive size/);
  });

  it('connection refused names host:port and errno', async () => {
    const { server, url } = await listen(() => undefined);
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    const e = await errorOf(new VolumeDaemonClient({ url }).health());
    expect(e).toBeInstanceOf(VolumeDaemonNetworkError);
    expect(e).toMatchObject({ code: 'ECONNREFUSED', address: url.slice('http://'.length) });
    expect(e.message).toContain(
      `GET /health: cannot reach the Volume Daemon at ${url.slice('http://'.length)}: ECONNREFUSED`,
    );
  });

  it('a request without an answer times out naming the route and the limit', async () => {
    const { server, url } = await listen(() => undefined);
    try {
      const e = await errorOf(new VolumeDaemonClient({ url, requestTimeoutMs: 100 }).detachVolume('v-1'));
      expect(e).toBeInstanceOf(VolumeDaemonRequestTimeoutError);
      expect(e.message).toMatch(
        /^POST \/api\/v1\/volumes\/v-1\/detach: no answer from the Volume Daemon at 127\.0\.0\.1:\d+ within 100 ms$/,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('an answer that is not the documented JSON is a protocol error naming the field', async () => {
    const { server, url } = await listen((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: 'x', type: 'explode', status: 'pending' }));
    });
    try {
      const e = await errorOf(new VolumeDaemonClient({ url }).getOperation('x'));
      expect(e).toBeInstanceOf(VolumeDaemonProtocolError);
      expect(e.message).toMatch(/^GET \/api\/v1\/operations\/x: unexpected answer: type: /);
    } finally {
      server.close();
    }
  });
});

describe('waitForOperation', () => {
  it('polls every 2 s and gives up after the per-type default (attach to the OMA: 2 min) on an operation a crash left executing', async () => {
    const crashing = await env.startDaemon();
    crashing.armCrash('after-cloudstack');
    const volumeId = await env.addVolume();
    const op = await env.client(crashing).attachVolume(volumeId, env.omaVmId);
    await crashing.crashed;
    const clock = virtualClock();
    const slow = new VolumeDaemonClient({ url: daemon.url, clock });
    const e = await errorOf(slow.waitForOperation(op.id, { omaVmId: env.omaVmId }));
    expect(e).toBeInstanceOf(VolumeDaemonOperationTimeoutError);
    expect(e).toMatchObject({ operationId: op.id, type: 'attach', status: 'executing', timeoutMs: 120_000 });
    expect(e.message).toBe(
      `GET /api/v1/operations/${op.id}: attach operation ${op.id} still executing after 120000 ms (it may yet finish)`,
    );
    expect(clock.sleeps).toHaveLength(60);
    expect(new Set(clock.sleeps)).toEqual(new Set([2_000]));
    // Without the OMA id an attach gets the test-VM wait (300 s); an explicit timeout wins.
    const other = virtualClock();
    await expect(
      new VolumeDaemonClient({ url: daemon.url, clock: other }).waitForOperation(op.id),
    ).rejects.toMatchObject({ timeoutMs: 300_000 });
    await expect(
      new VolumeDaemonClient({ url: daemon.url, clock: virtualClock() }).waitForOperation(op.id, { timeoutMs: 5_000 }),
    ).rejects.toMatchObject({ timeoutMs: 5_000 });
  });

  it('has the §2.3 defaults per operation type', () => {
    expect(OPERATION_TIMEOUTS_MS).toMatchObject({
      create: 120_000,
      attachToOma: 120_000,
      attachToOtherVm: 300_000,
      detach: 180_000,
      delete: 300_000,
    });
    expect(defaultOperationTimeoutMs({ type: 'attach', vm_id: 'oma' }, 'oma')).toBe(120_000);
    expect(defaultOperationTimeoutMs({ type: 'attach', vm_id: 'test-vm' }, 'oma')).toBe(300_000);
    expect(defaultOperationTimeoutMs({ type: 'detach' })).toBe(180_000);
    expect(defaultOperationTimeoutMs({ type: 'delete' })).toBe(300_000);
    expect(defaultOperationTimeoutMs({ type: 'create' })).toBe(120_000);
  });
});
