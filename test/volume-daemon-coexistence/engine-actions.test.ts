/**
 * Issue 14, "Done when" 1 for the engine's own volume actions: beside the Volume Daemon simulator
 * (every fault of the real daemon on; no HUP, see the helper), quarantine of an orphan attached to
 * the OMA, its delete after the quarantine TTL, and attach-volume-to-oma of a volume detached
 * behind the OMA's back. After the passes: the §8 invariants hold, no daemon operation failed, every
 * CloudStack attach/detach/delete was the daemon's, and the OMA's next daemon operations on the
 * volume succeed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUARANTINE_TAG } from '../../reconcilers/lib/names.js';
import { executedActions } from '../engine/helpers/audit.js';
import { checkInvariants } from '../engine/helpers/check-invariants.js';
import { ageQuarantineTag, contextIn, deleteContext } from '../engine/helpers/inject-drift.js';
import { readAppliance } from '../engine/helpers/read-appliance.js';
import { startCoexistence, type Coexistence } from './helpers/coexistence.js';

describe('engine volume actions beside the Volume Daemon (every fault on)', () => {
  let c: Coexistence;
  beforeEach(async () => {
    c = await startCoexistence();
    await c.h.pass(); // the ownership ledger knows every volume
  });
  afterEach(async () => c.close());

  it('quarantines the volumes of a deleted context through daemon detaches, then the OMA can attach and delete them through the daemon', async () => {
    const { h } = c;
    const ctx = contextIn(h, 'ready_for_failover');
    const ids = ctx.volumes.map((v) => v.volumeId);
    await deleteContext(h, ctx.contextId);

    const passes = await h.applyUntilStable();
    expect(executedActions(passes).filter((a) => a.startsWith('orphan-volume'))).toEqual(
      ids.map(() => 'orphan-volume quarantine-volume → success'),
    );
    for (const id of ids) {
      expect(h.env.sim.state.getVolume(id)?.vmId).toBeNull();
      expect(h.env.sim.state.tagsOf('Volume', id).map((t) => t.key)).toEqual([QUARANTINE_TAG]);
    }
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
    expect(await c.failedOperations()).toEqual([]);
    expect(c.daemon?.stats.operations.detach).toMatchObject({ started: ids.length, completed: ids.length, failed: 0 });
    expect(c.csMutations()).toEqual({ daemon: ids.length, us: 0 });

    for (const id of ids) {
      expect(await c.omaOperation('attach', id), `OMA attach of ${id}`).toMatchObject({ status: 'completed' });
      expect(await c.omaOperation('delete', id), `OMA delete of ${id}`).toMatchObject({ status: 'completed' });
      expect(h.env.sim.state.getVolume(id)).toBeUndefined();
    }
    expect(await c.failedOperations()).toEqual([]);
  });

  it('deletes a quarantined orphan after the TTL through the daemon, with nothing failed and nothing left', async () => {
    const { h } = c;
    const ctx = contextIn(h, 'replicating');
    const ids = ctx.volumes.map((v) => v.volumeId);
    await deleteContext(h, ctx.contextId);
    await h.applyUntilStable();
    for (const id of ids) ageQuarantineTag(h, id, 7 * 24 * 3600 + 60);
    const before = c.csMutations();

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual(ids.map(() => 'orphan-volume delete-volume → success'));
    for (const id of ids) expect(h.env.sim.state.getVolume(id)).toBeUndefined();
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
    expect(await c.failedOperations()).toEqual([]);
    expect(c.daemon?.stats.operations.delete).toMatchObject({ started: ids.length, completed: ids.length, failed: 0 });
    const after = c.csMutations();
    expect({ daemon: after.daemon - before.daemon, us: after.us }).toEqual({ daemon: ids.length, us: 0 });
    // The daemon knows nothing more of them.
    for (const id of ids) expect(await c.oma.getVolumeDevice(id)).toBeNull();
  });

  it('reattaches a volume detached behind the OMA back through a daemon attach (stale mapping removed first), then the OMA can detach and attach it', async () => {
    const { h } = c;
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[1]?.volumeId ?? '';
    h.env.sim.state.detachVolume(volumeId);

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toContain('volume-attachment attach-volume-to-oma → success');
    expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBe(h.omaVmId);
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
    expect(await c.failedOperations()).toEqual([]);
    expect(c.daemon?.stats.operations.attach).toMatchObject({ started: 1, completed: 1, failed: 0 });
    expect(c.csMutations()).toEqual({ daemon: 1, us: 0 });

    expect(await c.omaOperation('detach', volumeId)).toMatchObject({ status: 'completed' });
    expect(await c.omaOperation('attach', volumeId)).toMatchObject({ status: 'completed' });
    expect(await c.failedOperations()).toEqual([]);
    // Back where the OMA wants it: after one more pass (the export reload) the appliance is consistent.
    await h.applyUntilStable();
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
    expect(c.csMutations().us).toBe(0);
  });
});
