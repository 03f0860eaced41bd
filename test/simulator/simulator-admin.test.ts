import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudStackClient } from '../../src/cloudstack/cloudstack-client.js';
import { InvalidInputError } from '../../src/errors.js';
import { loadSeedFile } from '../../src/simulator/load-seed-file.js';
import { startSimulator, type Simulator } from '../../src/simulator/start-simulator.js';

let sim: Simulator;
let client: CloudStackClient;
let dir = '';

beforeAll(async () => {
  sim = await startSimulator();
  client = new CloudStackClient({
    apiUrl: sim.url,
    apiKey: sim.apiKey,
    secretKey: sim.secretKey,
    retry: { retries: 0 },
    poll: { initialMs: 2, factor: 1, maxMs: 2 },
  });
  dir = await mkdtemp(join(tmpdir(), 'sim-admin-'));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const admin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('the admin endpoints', () => {
  it('set, list and clear faults over HTTP, and the client feels them', async () => {
    expect((await admin('POST', '/sim/faults', { command: 'listVolumes', errorStatus: 530, times: 1 })).body).toEqual({
      listVolumes: { errorStatus: 530, times: 1, remaining: 1 },
    });
    const listed = await client.listVolumes();
    expect(listed.error).toContain('HTTP 530');
    expect((await admin('GET', '/sim/faults')).body).toEqual({});
    await admin('POST', '/sim/faults', { latencyMs: 1 });
    expect(Object.keys((await admin('GET', '/sim/faults')).body)).toEqual(['*']);
    expect((await admin('DELETE', '/sim/faults')).body).toEqual({});
  });

  it('refuses an invalid fault rule with 400 naming the problem', async () => {
    const res = await admin('POST', '/sim/faults', { command: 'listVolumes', errorStatus: 404 });
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toContain('errorStatus');
  });

  it('changes the async job duration at run time (what the benchmark sets to 250 ms)', async () => {
    expect((await admin('POST', '/sim/config', { asyncJobDurationMs: 5 })).body.asyncJobDurationMs).toBe(5);
    expect(sim.config.asyncJobDurationMs).toBe(5);
    expect((await admin('POST', '/sim/config', { asyncJobDurationMs: -1 })).status).toBe(400);
  });

  it('seeds objects and reports counts, request stats and the default catalog', async () => {
    const seeded = await admin('POST', '/sim/seed', {
      virtualMachines: [{ name: 'oma', id: '11111111-1111-4111-8111-111111111111' }],
      volumes: [{ name: 'd1', virtualMachineId: '11111111-1111-4111-8111-111111111111' }],
    });
    expect(seeded.body).toEqual({ virtualMachines: 1, volumes: 1, snapshots: 0, tags: 0 });
    const state = await admin('GET', '/sim/state');
    expect(state.body).toMatchObject({
      counts: { virtualMachines: 1, volumes: 2 },
      defaults: { zoneId: sim.state.defaults.zoneId },
    });
    await client.listVolumes();
    expect(((await admin('GET', '/sim/stats')).body.byCommand as Record<string, number>).listVolumes).toBeGreaterThan(
      0,
    );
    expect((await admin('DELETE', '/sim/stats')).body).toEqual({ total: 0, rejected: 0, byCommand: {} });
    expect(
      (await admin('POST', '/sim/seed', { volumes: [{ name: 'x', virtualMachineId: 'no-such-vm' }] })).status,
    ).toBe(400);
  });

  it('fires a rule with a rate on that share of requests (deterministic with an injected random source)', async () => {
    let flip = 0;
    const coin = await startSimulator({ random: () => (flip++ % 2 === 0 ? 0.1 : 0.9) });
    try {
      coin.faults.set('listZones', { rate: 0.5, errorStatus: 503 });
      const c = new CloudStackClient({
        apiUrl: coin.url,
        apiKey: coin.apiKey,
        secretKey: coin.secretKey,
        retry: { retries: 0 },
      });
      const outcomes: boolean[] = [];
      for (let i = 0; i < 4; i++) {
        outcomes.push(
          await c.call('listZones').then(
            () => true,
            () => false,
          ),
        );
      }
      expect(outcomes).toEqual([false, true, false, true]);
    } finally {
      await coin.close();
    }
  });

  it('answers unknown admin routes with 404', async () => {
    expect((await admin('GET', '/sim/nothing')).status).toBe(404);
  });
});

describe('bulk seeding', () => {
  it('loads 150,000 volumes attached across 5,000 VMs, and the client lists every one of them completely', async () => {
    const big = await startSimulator();
    try {
      const vms = Array.from({ length: 5_000 }, (_, i) => ({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        name: `vm-${i}`,
      }));
      const volumes = Array.from({ length: 150_000 }, (_, i) => ({
        name: `migration-vm${i}-disk-0`,
        virtualMachineId: vms[i % vms.length]?.id ?? null,
      }));
      const counts = big.state.seed({ virtualMachines: vms, volumes });
      expect(counts).toEqual({ virtualMachines: 5_000, volumes: 150_000, snapshots: 0, tags: 0 });
      // Device ids stay unique per VM and skip 3, even for bulk-seeded attachments.
      const onFirst = [...(big.state.devices.get(vms[0]?.id ?? '')?.keys() ?? [])].sort((a, b) => a - b);
      expect(onFirst.slice(0, 5)).toEqual([0, 1, 2, 4, 5]);
      const bigClient = new CloudStackClient({ apiUrl: big.url, apiKey: big.apiKey, secretKey: big.secretKey });
      const listed = await bigClient.listVolumes();
      expect([listed.complete, listed.count, listed.items.length]).toEqual([true, 155_000, 155_000]);
      expect(bigClient.requestCount).toBe(310);
    } finally {
      await big.close();
    }
  });

  it('reads a state file and refuses one with unknown keys', async () => {
    const good = join(dir, 'state.json');
    await writeFile(good, JSON.stringify({ volumes: [{ name: 'from-file', sizeBytes: 1024 ** 3 }] }));
    const seeded = await startSimulator({ seed: await loadSeedFile(good) });
    try {
      expect(seeded.state.counts().volumes).toBe(1);
    } finally {
      await seeded.close();
    }
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ disks: [] }));
    await expect(loadSeedFile(bad)).rejects.toThrow(InvalidInputError);
    await expect(loadSeedFile(join(dir, 'missing.json'))).rejects.toThrow(/--state/);
  });
});
