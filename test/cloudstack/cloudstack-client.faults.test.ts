import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudStackClient, type CloudStackClientOptions } from '../../src/cloudstack/cloudstack-client.js';
import { recordingCloudStackMetrics } from '../../src/cloudstack/cloudstack-metrics.js';
import {
  CloudStackAuthError,
  CloudStackHttpError,
  CloudStackIncompleteListError,
  CloudStackJobFailedError,
  CloudStackNetworkError,
  CloudStackTimeoutError,
} from '../../src/cloudstack/errors.js';
import { startSimulator, type Simulator } from '../../src/simulator/start-simulator.js';

let sim: Simulator;
const metrics = recordingCloudStackMetrics();

/** A client with fast polls and retries; `extra` overrides. */
function makeClient(extra: Partial<CloudStackClientOptions> = {}): CloudStackClient {
  return new CloudStackClient({
    apiUrl: sim.url,
    apiKey: sim.apiKey,
    secretKey: sim.secretKey,
    pageSize: 100,
    requestTimeoutMs: 2_000,
    poll: { initialMs: 2, factor: 1.5, maxMs: 20 },
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 },
    metrics,
    ...extra,
  });
}

async function rejection<T>(p: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(type);
  return e as T;
}

beforeAll(async () => {
  sim = await startSimulator({ config: { asyncJobDurationMs: 1 } });
  sim.state.seed({ volumes: Array.from({ length: 250 }, (_, i) => ({ name: `fleet-${i}` })) });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
  sim.stats.reset();
  metrics.reset();
});

describe('retried faults', () => {
  it.each([530, 503, 502, 534] as const)('retries HTTP %i and completes the listing', async (errorStatus) => {
    sim.faults.set('listVolumes', { errorStatus, times: 2 });
    const listed = await makeClient().listVolumes({ keyword: 'fleet-' });
    expect([listed.complete, listed.items.length]).toEqual([true, 250]);
    expect(sim.stats.requests('listVolumes')).toBe(3 + 2);
    expect(metrics.count('listVolumes', 'error')).toBe(2);
  });

  it('retries 429 after the wait the server states, counting it as rate_limited', async () => {
    sim.faults.set('listVolumes', { errorStatus: 429, retryAfterMs: 30, times: 1 });
    const listed = await makeClient().listVolumes();
    expect(listed.complete).toBe(true);
    expect(metrics.count('listVolumes', 'rate_limited')).toBe(1);
  });

  it('carries the 429 wait on the error when retries run out', async () => {
    sim.faults.set('listVolumes', { errorStatus: 429, retryAfterMs: 1234 });
    const listed = await makeClient({ retry: { retries: 0 } }).listVolumes();
    expect(listed.complete).toBe(false);
    expect(listed.cause).toBeInstanceOf(CloudStackHttpError);
    expect((listed.cause as CloudStackHttpError).retryAfterMs).toBe(1234);
  });

  it('retries a read whose answer never comes (request timeout) and then succeeds', async () => {
    sim.faults.set('listVolumes', { hang: true, times: 1 });
    const listed = await makeClient({ requestTimeoutMs: 150 }).listVolumes();
    expect(listed.complete).toBe(true);
    expect(metrics.count('listVolumes', 'timeout')).toBe(1);
  });

  it('tolerates added latency', async () => {
    sim.faults.set('*', { latencyMs: 20 });
    expect((await makeClient().listVolumes()).complete).toBe(true);
  });

  it('resubmits an async command whose job failed with 530 (transient) and succeeds', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'oma' });
    const volume = sim.state.addVolume({ name: 'flaky-attach' });
    sim.faults.set('attachVolume', {
      jobFailure: { errorcode: 530, errortext: 'Failed to attach volume: agent unavailable' },
      times: 1,
    });
    expect((await makeClient().attachVolume({ id: volume.id, virtualMachineId: vm.id })).virtualMachineId).toBe(vm.id);
    expect(sim.stats.requests('attachVolume')).toBe(2);
  });

  it('retries a connection that is refused (nothing reached the server), then reports a network error', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => {
          resolve(p);
        });
      });
    });
    const client = makeClient({
      apiUrl: `http://127.0.0.1:${port}/client/api`,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 },
    });
    const listed = await client.listVolumes();
    expect(listed.complete).toBe(false);
    expect(listed.cause).toBeInstanceOf(CloudStackNetworkError);
    expect((listed.cause as CloudStackNetworkError).code).toBe('ECONNREFUSED');
    expect(client.requestCount).toBe(3);
    expect(metrics.count('listVolumes', 'network_error')).toBe(3);
  });
});

describe('faults that are not retried', () => {
  it('does not retry a 401 and reports the listing incomplete, not empty', async () => {
    const listed = await makeClient({ secretKey: 'wrong' }).listVolumes();
    expect(listed).toMatchObject({ complete: false, items: [] });
    expect(listed.cause).toBeInstanceOf(CloudStackAuthError);
    expect(listed.error).toContain('unable to verify user credentials and/or request signature');
    expect(metrics.count('listVolumes', 'auth_error')).toBe(1);
    expect(sim.stats.rejected).toBe(1);
  });

  it('does not resubmit a state change whose answer timed out (it may have been applied)', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'oma-2' });
    const volume = sim.state.addVolume({ name: 'slow-attach' });
    sim.faults.set('attachVolume', { hang: true });
    const e = await rejection(
      makeClient({ requestTimeoutMs: 150 }).attachVolume({ id: volume.id, virtualMachineId: vm.id }),
      CloudStackTimeoutError,
    );
    expect(e.phase).toBe('request');
    expect(sim.stats.requests('attachVolume')).toBe(1);
  });

  it('gives up waiting for a job after the per-operation timeout and names the job still running', async () => {
    const volume = sim.state.addVolume({ name: 'slow-snapshot' });
    sim.faults.set('createSnapshot', { jobHang: true, times: 1 });
    const e = await rejection(
      makeClient().createSnapshot({ volumeId: volume.id }, { timeoutMs: 100 }),
      CloudStackTimeoutError,
    );
    expect(e.phase).toBe('job');
    expect(e.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.stats.requests('createSnapshot')).toBe(1);
  });

  it('does not resubmit a job refused with 431', async () => {
    const volume = sim.state.addVolume({ name: 'refused' });
    sim.faults.set('deleteSnapshot', { jobFailure: { errorcode: 431, errortext: 'refused by rule' } });
    const snap = sim.state.addSnapshot({ volumeId: volume.id });
    const e = await rejection(makeClient().deleteSnapshot(snap.id), CloudStackJobFailedError);
    expect([e.errorcode, e.errortext]).toEqual([431, 'refused by rule']);
    expect(sim.stats.requests('deleteSnapshot')).toBe(1);
  });
});

describe('incomplete listings are reported, never shortened', () => {
  it('keeps failing page 2 as an error for the source, with page 1 items kept for diagnostics', async () => {
    sim.faults.set('listVolumes', { page: 2, errorStatus: 530 });
    const listed = await makeClient({ retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } }).listVolumes({
      keyword: 'fleet-',
    });
    expect(listed.complete).toBe(false);
    expect(listed.items).toHaveLength(100);
    expect(listed.count).toBe(250);
    expect(listed.cause).toBeInstanceOf(CloudStackHttpError);
  });

  it('detects a truncated page (fewer items than count) and reads the whole listing again, three times at most', async () => {
    sim.faults.set('listVolumes', { page: 2, dropItems: 1 });
    const listed = await makeClient().listVolumes({ keyword: 'fleet-' });
    expect(listed.complete).toBe(false);
    expect(listed.cause).toBeInstanceOf(CloudStackIncompleteListError);
    expect(listed.error).toContain('249 of 250');
    expect(sim.stats.requests('listVolumes')).toBe(9);
  });

  it('detects a count that does not match the items', async () => {
    sim.faults.set('listVolumes', { countSkew: 5 });
    const listed = await makeClient().listVolumes({ keyword: 'fleet-' });
    expect(listed.complete).toBe(false);
    expect(listed.error).toContain('250 of 255');
  });

  it('completes when the inconsistency was transient (items moved between pages)', async () => {
    sim.faults.set('listVolumes', { page: 1, dropItems: 3, times: 1 });
    const listed = await makeClient().listVolumes({ keyword: 'fleet-' });
    expect([listed.complete, listed.items.length]).toEqual([true, 250]);
  });
});
