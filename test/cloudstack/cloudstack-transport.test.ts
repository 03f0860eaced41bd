import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudStackClient } from '../../src/cloudstack/cloudstack-client.js';
import { recordingCloudStackMetrics } from '../../src/cloudstack/cloudstack-metrics.js';
import { CloudStackProtocolError } from '../../src/cloudstack/errors.js';
import { createLogger } from '../../src/log.js';
import { startSimulator, type Simulator } from '../../src/simulator/start-simulator.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    apiKey: 'PUBLIC-KEY-abc123',
    secretKey: 'TOP-SECRET-xyz789',
    config: { asyncJobDurationMs: 1 },
  });
});
afterAll(async () => {
  await sim.close();
});

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString());
        cb();
      },
    }),
    text: () => chunks.join(''),
  };
}

describe('the CloudStack transport', () => {
  it('logs requests and retries without the API key, secret or signature', async () => {
    const out = capture();
    const logger = createLogger('debug', out.stream);
    sim.faults.set('listVolumes', { errorStatus: 530, times: 1 });
    const client = new CloudStackClient({
      apiUrl: sim.url,
      apiKey: sim.apiKey,
      secretKey: sim.secretKey,
      logger,
      retry: { minDelayMs: 1, maxDelayMs: 2 },
      poll: { initialMs: 2, factor: 1, maxMs: 2 },
    });
    await client.listVolumes();
    const volume = sim.state.addVolume({ name: 'logged' });
    await client.createSnapshot({ volumeId: volume.id });
    const text = out.text();
    expect(text).toContain('cloudstack request');
    expect(text).toContain('cloudstack retry');
    expect(text).toContain('apikey=***');
    expect(text).not.toContain('PUBLIC-KEY-abc123');
    expect(text).not.toContain('TOP-SECRET-xyz789');
    expect(text).not.toMatch(/signature=[^*]/);
  });

  it('counts every HTTP request, job polls and retries included, and observes each once', async () => {
    const metrics = recordingCloudStackMetrics();
    const client = new CloudStackClient({
      apiUrl: sim.url,
      apiKey: sim.apiKey,
      secretKey: sim.secretKey,
      metrics,
      poll: { initialMs: 2, factor: 1, maxMs: 2 },
    });
    const volume = sim.state.addVolume({ name: 'counted' });
    await client.createSnapshot({ volumeId: volume.id });
    expect(client.requestCount).toBe(metrics.total());
    expect(metrics.count('createSnapshot', 'success')).toBe(1);
    expect(metrics.count('queryAsyncJobResult')).toBeGreaterThanOrEqual(1);
  });

  it("passes the caller's abort through without retrying", async () => {
    sim.faults.set('listVolumes', { hang: true });
    try {
      const client = new CloudStackClient({ apiUrl: sim.url, apiKey: sim.apiKey, secretKey: sim.secretKey });
      const controller = new AbortController();
      const pending = client.listVolumes({}, { signal: controller.signal });
      await expect.poll(() => sim.stats.requests('listVolumes')).toBeGreaterThan(0);
      const before = client.requestCount;
      controller.abort(new Error('pass timeout'));
      const listed = await pending;
      expect(listed.complete).toBe(false);
      expect(listed.error).toBe('pass timeout');
      expect(client.requestCount).toBe(before);
    } finally {
      sim.faults.clear();
    }
  });

  it('treats a 200 answer that is not the documented envelope as a protocol error', async () => {
    const client = new CloudStackClient({
      apiUrl: sim.url,
      apiKey: sim.apiKey,
      secretKey: sim.secretKey,
      retry: { retries: 0 },
      fetch: () => Promise.resolve(new Response('{"somethingelse":{}}', { status: 200 })),
    });
    const listed = await client.listVolumes();
    expect(listed.cause).toBeInstanceOf(CloudStackProtocolError);
  });
});
