/**
 * The live re-check right before a move also honours the settle window: an OMA operation that
 * started and ended after the pass observed the world (so no gate could see it) still holds the
 * volume — the OMA's next step may be on its way. Found by the interleaving test's figures
 * (`withinSettle`): without it a pass that observed early moves a volume milliseconds after the
 * OMA did.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decisionsOf } from '../engine/helpers/audit.js';
import { contextIn } from '../engine/helpers/inject-drift.js';
import { startCoexistence, type Coexistence } from './helpers/coexistence.js';
import { pollUntil } from './helpers/poll.js';

const GRACE = 5;

describe('the live re-check before a move', () => {
  let c: Coexistence;
  beforeEach(async () => {
    c = await startCoexistence();
    await c.h.pass();
  });
  afterEach(async () => c.close());

  it('refuses to move a volume the OMA worked on between the observation and the move', async () => {
    const { h } = c;
    const volumeId = contextIn(h, 'ready_for_failover').volumes[1]?.volumeId ?? '';
    expect(await c.omaOperation('detach', volumeId)).toMatchObject({ status: 'completed' });
    await h.pass({ graceOverride: GRACE }); // first seen; settle and grace hold it
    await pollUntil(
      'the reattach to be due',
      async () =>
        decisionsOf((await h.plan({ graceOverride: GRACE })).gated, 'volume-attachment').includes(
          'attach-volume-to-oma: run',
        ),
      30_000,
      100,
    );

    // The pass reads the database at once and waits 3 s for CloudStack's volume list; meanwhile
    // the OMA attaches the volume and detaches it again.
    const lists = h.env.sim.stats.requests('listVolumes');
    h.env.sim.faults.set('listVolumes', { latencyMs: 3_000, times: 1 });
    const passing = h.pass({ graceOverride: GRACE });
    await pollUntil(
      'the pass to ask CloudStack for its volumes',
      () => h.env.sim.stats.requests('listVolumes') > lists,
    );
    const listAskedAt = Date.now();
    const logStart = c.daemon!.stats.log.length;
    expect(await c.omaOperation('attach', volumeId)).toMatchObject({ status: 'completed' });
    expect(await c.omaOperation('detach', volumeId)).toMatchObject({ status: 'completed' });
    const omaOps = c.daemon!.stats.log.length - logStart;
    const omaDoneAt = Date.now();
    const pass = await passing;
    // The OMA was done while CloudStack still held the pass's volume list (else this test shows nothing).
    expect(omaDoneAt - listAskedAt).toBeLessThan(3_000);

    const attach = pass.executed.find((e) => e.action === 'attach-volume-to-oma');
    expect(attach?.result, JSON.stringify(attach)).toBe('error');
    expect(attach?.error).toMatch(
      /operation in flight \((attach|detach) .* within the settle window of 5 s\): not touched/,
    );
    expect(c.daemon!.stats.log.length - logStart, 'no daemon operation of ours').toBe(omaOps);
    expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBeNull();
  });
});
