/**
 * One writer per volume, seen from CloudStack: a volume CloudStack lists with an async job pending on
 * it (`jobid`, `jobstatus` 0) is being moved by someone — another writer, or a process of ours killed
 * after it submitted the move. Nothing of ours is sent on top: the pass holds the volume (in-flight),
 * the live re-check right before a move refuses it, and once the job ends the volume converges with
 * the one request that was sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../volume-daemon-coexistence/helpers/poll.js';
import { startHarness, type Harness } from './helpers/appliance-harness.js';
import { decisionsOf } from './helpers/audit.js';
import { contextIn } from './helpers/inject-drift.js';

/** How long the simulator's jobs run in these tests: long enough to be seen pending. */
const SLOW_JOB_MS = 1_500;

describe('a volume with a CloudStack job pending on it', () => {
  let h: Harness;
  let volumeId: string;
  const attaches = () => h.env.sim.stats.requests('attachVolume');

  /** Submits an attach of the volume to the OMA and never waits for it (as a killed process would). */
  async function submitAttach(): Promise<void> {
    const { client } = await h.deps.cloudstack();
    await client.call('attachVolume', { id: volumeId, virtualmachineid: h.omaVmId });
  }

  beforeEach(async () => {
    h = await startHarness();
    await h.pass();
    volumeId = contextIn(h, 'ready_for_failover').volumes[1]?.volumeId ?? '';
    h.env.sim.state.detachVolume(volumeId);
    h.env.sim.config.asyncJobDurationMs = SLOW_JOB_MS;
  });
  afterEach(async () => {
    await h.close();
  });

  it('is held by the in-flight gate while the job runs, and converges on the one attach once it ends', async () => {
    await submitAttach();
    const sent = attaches();
    const plan = await h.plan();
    expect(decisionsOf(plan.gated, 'volume-attachment')).toEqual(['attach-volume-to-oma: blocked by in-flight']);
    await h.pass();
    expect(attaches(), 'no second attach while the first one runs').toBe(sent);

    await pollUntil('the attach job to end', () => h.env.sim.state.getVolume(volumeId)?.vmId === h.omaVmId, 20_000);
    const after = await h.pass();
    expect(after.executed.filter((e) => e.action === 'attach-volume-to-oma')).toEqual([]);
    expect(attaches()).toBe(sent);
  });

  it('is refused by the live re-check when the job was submitted after the pass observed', async () => {
    let submitted = false;
    const pass = await h.pass({
      fence: async () => {
        if (!submitted) {
          submitted = true;
          await submitAttach();
        }
        return true;
      },
    });
    const attach = pass.executed.find((e) => e.action === 'attach-volume-to-oma');
    expect(attach?.result, JSON.stringify(attach)).toBe('error');
    expect(attach?.error).toMatch(
      /CloudStack job \S+ is still pending on volume \S+ \(a move under way\): not touched/,
    );
    expect(attaches(), 'only the other writer attached').toBe(1);
  });
});
