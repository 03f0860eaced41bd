import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { Backoff } from '../../src/daemon/backoff.js';
import { PassLoop, type PassLoopDeps } from '../../src/daemon/loop.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { FakeEngine, nextEvent } from './fake-engine.js';
import { manualCron, manualNbdWatch, metricValue, recordPasses, settle } from './loop-helpers.js';
import { testConfig } from './test-config.js';

const loops: PassLoop[] = [];

afterEach(async () => {
  for (const loop of loops.splice(0)) {
    await loop.drain(1_000);
    await loop.close();
  }
});

function setup(
  opts: { schedule?: ConfigInput['schedule']; leader?: boolean; realCron?: boolean; deps?: Partial<PassLoopDeps> } = {},
) {
  const engine = new FakeEngine();
  const cron = manualCron();
  const nbd = manualNbdWatch();
  const metrics = createMetrics({ version: 'test', defaultMetrics: false });
  const loop = new PassLoop({
    engine,
    metrics,
    logger: createLogger('silent'),
    schedule: testConfig({ schedule: opts.schedule ?? {} }).schedule,
    isLeader: () => opts.leader ?? true,
    fence: () => Promise.resolve(opts.leader ?? true),
    watchNbd: nbd.watch,
    ...(opts.realCron ? {} : { cron: cron.scheduler }),
    ...opts.deps,
  });
  loops.push(loop);
  const passes = recordPasses(loop);
  return { engine, cron, nbd, metrics, loop, passes };
}

describe('PassLoop', () => {
  it('runs a pass at start-up and one per scheduled tick once its jitter has passed', async () => {
    const { loop, cron, passes } = setup({ schedule: { jitterMs: 40 }, deps: { random: () => 0.5 } });
    loop.start();
    await passes.next((s) => s.trigger === 'startup');
    cron.tick();
    cron.tick(); // a second tick while the first is still waiting out its jitter adds nothing
    await passes.next((s) => s.trigger === 'schedule');
    await settle();
    expect(passes.all.map((s) => s.trigger)).toEqual(['startup', 'schedule']);
  });

  it('runs a pass when the nbd-server configuration changes', async () => {
    const { loop, nbd, passes } = setup();
    loop.start();
    await passes.next();
    nbd.change();
    expect((await passes.next()).trigger).toBe('nbd-change');
  });

  it('runs a pass when a new cleanup annotation appears', async () => {
    const { loop, engine, passes } = setup();
    loop.start();
    await passes.next();
    engine.annotations = true;
    expect((await passes.next()).trigger).toBe('annotation');
  });

  it('keeps polling for annotations after a failed poll', async () => {
    const { loop, engine, passes } = setup();
    let polls = 0;
    engine.hasNewAnnotations = () => {
      polls++;
      return polls === 1 ? Promise.reject(new Error('database went away')) : Promise.resolve(polls === 2);
    };
    loop.start();
    expect((await passes.next((s) => s.trigger === 'annotation')).result).toBe('success');
  });

  it('turns several triggers during a running pass into exactly one follow-up pass', async () => {
    const { loop, engine, nbd, passes } = setup();
    let release: () => void = () => undefined;
    engine.actionHook = () =>
      new Promise((r) => {
        release = r;
      });
    const inAction = nextEvent(engine, 'action-start');
    loop.start();
    await inAction;
    engine.actionHook = () => Promise.resolve();
    nbd.change();
    loop.trigger('annotation');
    loop.trigger('schedule');
    release();
    await passes.next((s) => s.trigger !== 'startup');
    await settle();
    expect(passes.all.map((s) => s.trigger)).toEqual(['startup', 'nbd-change']);
    expect(loop.busy).toBe(false);
  });

  it('backs off a failing subject, retries it when the delay elapses, and forgets it after a success', async () => {
    const backoff = new Backoff({ baseMs: 30, random: () => 0.5 });
    const { loop, engine, passes } = setup({ deps: { backoff } });
    const subject = 'orphan-volume:volume:v1';
    engine.failing.add(subject);
    loop.start();
    await passes.next((s) => s.trigger === 'startup');
    expect(backoff.failures(subject)).toBe(1);
    const firstRetry = await passes.next((s) => s.trigger === 'retry');
    expect(firstRetry.report?.actions[0]?.result).toBe('error');
    expect(backoff.failures(subject)).toBe(2);
    engine.failing.clear();
    const secondRetry = await passes.next((s) => s.trigger === 'retry');
    expect(secondRetry.report?.actions[0]?.result).toBe('success');
    expect(backoff.failures(subject)).toBe(0);
  });

  it('aborts a pass that runs past the pass timeout and counts it as a timeout', async () => {
    const { loop, engine, metrics, passes } = setup({ schedule: { passTimeoutMs: 50 } });
    engine.passOverride = ({ signal }) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          reject(signal.reason as Error);
        });
      });
    loop.start();
    const pass = await passes.next();
    expect(pass.result).toBe('timeout');
    expect(await metricValue(metrics, 'oma_reconciler_passes_total', { result: 'timeout' })).toBe(1);
  });

  it('lets a follower observe and plan but never act', async () => {
    const { loop, engine, metrics, passes } = setup({ leader: false });
    loop.start();
    const pass = await passes.next();
    expect(pass.act).toBe(false);
    expect(engine.mutations).toEqual([]);
    expect(
      await metricValue(metrics, 'oma_reconciler_actions_blocked_total', {
        kind: 'orphan-volume',
        reason: 'not-leader',
      }),
    ).toBe(1);
  });

  it('on drain finishes the action in flight and starts no further mutation', async () => {
    const { loop, engine, passes } = setup();
    engine.subjects = ['orphan-volume:volume:a', 'orphan-volume:volume:b'];
    let release: () => void = () => undefined;
    engine.actionHook = () =>
      new Promise((r) => {
        release = r;
      });
    const inAction = nextEvent(engine, 'action-start');
    loop.start();
    await inAction;
    const drained = loop.drain(10_000);
    release();
    expect(await drained).toBe('finished');
    expect(engine.mutations.map((m) => m.subject)).toEqual(['orphan-volume:volume:a']);
    expect(passes.all[0]?.report?.blocked.map((b) => b.driftId)).toEqual(['orphan-volume:volume:b']);
  });

  it('on drain aborts the pass once the grace period runs out', async () => {
    const { loop, engine, passes } = setup();
    engine.actionHook = (signal) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          reject(signal.reason as Error);
        });
      });
    const inAction = nextEvent(engine, 'action-start');
    loop.start();
    await inAction;
    expect(await loop.drain(20)).toBe('aborted');
    expect(passes.all[0]?.result).toBe('aborted');
  });

  it('turns a pass report into drift, action, source, cleanup and pass metrics', async () => {
    const { loop, metrics, passes } = setup();
    loop.start();
    await passes.next();
    const v = (name: string, labels: Record<string, string> = {}) =>
      metricValue(metrics, `oma_reconciler_${name}`, labels);
    expect(await v('drift_objects', { kind: 'orphan-volume', class: 'orphan' })).toBe(1);
    expect(await v('drift_objects', { kind: 'orphan-snapshot', class: 'orphan' })).toBe(0);
    expect(await v('drift_oldest_first_seen_timestamp_seconds', { kind: 'orphan-volume' })).toBe(
      Date.parse('2026-01-01T00:00:00.000Z') / 1000,
    );
    expect(await v('actions_total', { kind: 'orphan-volume', action: 'delete-volume', result: 'success' })).toBe(1);
    expect(await v('passes_total', { result: 'success' })).toBe(1);
    expect(await v('source_up', { source: 'cloudstack' })).toBe(1);
    expect(await v('source_last_complete_timestamp_seconds', { source: 'nbd' })).toBeGreaterThan(0);
    expect(await v('last_successful_pass_timestamp_seconds')).toBeGreaterThan(0);
    expect(await v('cleanup_requests', { status: 'accepted' })).toBe(1);
    expect(await v('mode', { mode: 'enforce' })).toBe(1);
  });

  it('runs passes on a real node-cron schedule', async () => {
    const { loop, passes } = setup({ schedule: { resyncCron: '* * * * * *' }, realCron: true });
    loop.start();
    expect((await passes.next((s) => s.trigger === 'schedule')).result).toBe('success');
  });

  it('closes the schedule and the nbd watcher on close', async () => {
    const { loop, cron, nbd, passes } = setup();
    loop.start();
    await passes.next();
    await loop.drain(1_000);
    await loop.close();
    expect(cron.stopped).toBe(true);
    expect(nbd.closed).toBe(true);
    expect(loop.trigger('schedule')).toBe('closed');
  });
});
