/**
 * The live re-check right before a move also honours the settle window: an OMA operation that
 * started and ended after the pass observed the world (so no gate could see it) still holds the
 * volume — the OMA's next step may be on its way. Found by the interleaving test's figures
 * (`withinSettle`): without it a pass that observed early moves a volume milliseconds after the
 * OMA did. The OMA works from the pass's fence, after observation and planning, before the move.
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

    // The pass has observed and planned; right before its first move (the fence), the OMA attaches
    // the volume and detaches it again — no gate of this pass can have seen that.
    let logStart = 0;
    let omaOps = 0;
    let omaWorked = false;
    const pass = await h.pass({
      graceOverride: GRACE,
      fence: async () => {
        if (!omaWorked) {
          omaWorked = true;
          logStart = c.daemon!.stats.log.length;
          expect(await c.omaOperation('attach', volumeId)).toMatchObject({ status: 'completed' });
          expect(await c.omaOperation('detach', volumeId)).toMatchObject({ status: 'completed' });
          omaOps = c.daemon!.stats.log.length - logStart;
        }
        return true;
      },
    });
    expect(omaWorked, 'the pass reached a move').toBe(true);

    const attach = pass.executed.find((e) => e.action === 'attach-volume-to-oma');
    expect(attach?.result, JSON.stringify(attach)).toBe('error');
    expect(attach?.error).toMatch(
      /operation in flight \((attach|detach) .* within the settle window of 5 s\): not touched/,
    );
    expect(c.daemon!.stats.log.length - logStart, 'no daemon operation of ours').toBe(omaOps);
    expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBeNull();
  });
});
