/**
 * Issue 14, "Done when" 1 for the workflows' volume steps: beside the Volume Daemon simulator
 * (every fault on but the HUP), the failed-execution cleanup detaches the volumes from the test VM
 * and reattaches them to the OMA, and the replication-job cleanup deletes the volumes of a failed
 * first replication — each through the daemon. After the pass: the §8 invariants hold, no daemon
 * operation failed, no CloudStack move was ours, and the OMA's next daemon operations succeed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { requestCleanup } from '../../src/engine/cleanup-request.js';
import { readCleanupRequest } from '../../src/engine/store/cleanup-requests.js';
import { checkInvariants } from '../engine/helpers/check-invariants.js';
import { readAppliance } from '../engine/helpers/read-appliance.js';
import { failedFirstReplication } from '../workflows/helpers/replication-worlds.js';
import { makeStuckFailover } from '../workflows/helpers/stuck-failover.js';
import { startCoexistence, type Coexistence } from './helpers/coexistence.js';

describe('workflow volume steps beside the Volume Daemon (every fault on)', () => {
  let c: Coexistence;
  afterEach(async () => c.close());

  it('failed-execution cleanup: detach from the test VM and reattach to the OMA go through the daemon', async () => {
    c = await startCoexistence({
      spec: { statuses: ['failed_over_test', 'failed_over_test', 'ready_for_failover'], dataDisks: 2 },
    });
    const { h } = c;
    const [a, b] = h.env.world.contexts;
    const stuck = [await makeStuckFailover(h, a!, 'after-volume-moves'), await makeStuckFailover(h, b!, 'after-start')];
    const volumes = stuck.flatMap((s) => s.context.volumes.map((v) => v.volumeId));

    const pass = await h.pass();
    const runs = pass.executed.filter((e) => e.action === 'run-failed-execution-cleanup');
    expect(runs.map((r) => [r.result, r.error ?? null])).toEqual(stuck.map(() => ['success', null]));
    await h.applyUntilStable();
    for (const id of volumes) expect(h.env.sim.state.getVolume(id)?.vmId, id).toBe(h.omaVmId);
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
    expect(await c.failedOperations()).toEqual([]);
    expect(c.daemon?.stats.operations.detach).toMatchObject({ started: volumes.length, failed: 0 });
    expect(c.daemon?.stats.operations.attach).toMatchObject({ started: volumes.length, failed: 0 });
    // The test VMs' own ROOT volumes are not OMA volumes: deleting them with their VM is CloudStack's work (expunge).
    expect(c.csMutations().us).toBe(0);

    for (const id of volumes) {
      expect(await c.omaOperation('detach', id), `OMA detach of ${id}`).toMatchObject({ status: 'completed' });
      expect(await c.omaOperation('attach', id), `OMA attach of ${id}`).toMatchObject({ status: 'completed' });
    }
    expect(await c.failedOperations()).toEqual([]);
  });

  it('replication-job cleanup: the volumes of a failed first replication are deleted through the daemon', async () => {
    c = await startCoexistence({
      spec: {
        statuses: ['failed', 'ready_for_failover'],
        dataDisks: 1,
        hooks: { context: failedFirstReplication(new Set([0])) },
      },
    });
    const { h } = c;
    const ctx = h.env.world.contexts[0]!;
    const jobId = ctx.replicationJobs.at(-1)?.id ?? '';
    const volumes = ctx.volumes.map((v) => v.volumeId);
    await requestCleanup(h.db.db, jobId, 'operator', false, new Date());

    const pass = await h.pass();
    expect(pass.executed.find((e) => e.action === 'run-replication-job-cleanup')).toMatchObject({ result: 'success' });
    expect((await readCleanupRequest(h.db.db, jobId))?.status).toBe('done');
    await h.applyUntilStable();
    for (const id of volumes) expect(h.env.sim.state.getVolume(id), id).toBeUndefined();
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
    expect(await c.failedOperations()).toEqual([]);
    expect(c.daemon?.stats.operations.delete).toMatchObject({
      started: volumes.length,
      completed: volumes.length,
      failed: 0,
    });
    expect(c.csMutations()).toMatchObject({ us: 0 });
    for (const id of volumes) expect(await c.oma.getVolumeDevice(id)).toBeNull();
  });
});
