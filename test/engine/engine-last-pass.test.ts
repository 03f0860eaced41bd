import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PassOptions } from '../../src/reconcile/engine-port.js';
import { createEngine } from '../../src/engine/engine.js';
import { startHarness, type Harness } from './helpers/appliance-harness.js';

const pass = (id: string): PassOptions => ({
  passId: id,
  trigger: 'schedule',
  signal: new AbortController().signal,
  act: false,
  fence: () => Promise.resolve(false),
  backoff: { mayRetry: () => true, retryAt: () => null },
});

describe("the engine's last pass", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('is answered from the running pass once it ends, never from the world it replaces', async () => {
    const engine = createEngine(h.deps);
    expect(await engine.lastPass()).toBeNull();
    await engine.runPass(pass('first'));
    const first = await engine.lastPass();
    expect(first?.world.database.contexts.length).toBeGreaterThan(0);

    const second = engine.runPass(pass('second'));
    // Asked while the second pass observes: the answer waits for it and is its world.
    const during = engine.lastPass();
    const explained = engine.explain(first?.world.database.contexts[0]?.contextId ?? '');
    await second;
    const answered = await during;
    expect(answered?.world).not.toBe(first?.world);
    expect(answered?.world.observedAt).toBeDefined();
    expect(await explained).not.toBeNull();
    // The plan and the source checks stay answerable throughout.
    expect(engine.lastPlan()?.sources.database.complete).toBe(true);
    expect((await engine.checks()).cloudstack.ok).toBe(true);
  });
});
