/**
 * CloudStack-side drift repaired end to end against the simulator, MariaDB and a real nbd-server:
 * orphan volumes (quarantine, then delete after the TTL), detached volumes, orphan snapshots and
 * leftover test VMs. Each test injects one drift into a clean appliance, applies until stable, and
 * checks the §8 invariants and that a further pass has nothing to do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUARANTINE_TAG } from '../../reconcilers/lib/names.js';
import { startHarness, type Harness } from './helpers/appliance-harness.js';
import { auditEntries, decisionsOf, executedActions } from './helpers/audit.js';
import { checkInvariants } from './helpers/check-invariants.js';
import { expectRepairedAndIdle } from './helpers/expect-repaired.js';
import { ageQuarantineTag, contextIn, deleteContext, insertFailover, testVmName } from './helpers/inject-drift.js';
import { readAppliance } from './helpers/read-appliance.js';

describe('CloudStack drift on a running appliance', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  describe('with the default quarantine TTL of 7 days', () => {
    beforeEach(async () => {
      h = await startHarness();
      await h.pass(); // a daemon already ran: the ownership ledger knows every volume
    });

    it('quarantines the volumes of a deleted context at once and deletes them only once the quarantine is older than the TTL', async () => {
      const ctx = contextIn(h, 'ready_for_failover');
      const ids = ctx.volumes.map((v) => v.volumeId);
      await deleteContext(h, ctx.contextId);

      const first = await h.applyUntilStable();
      expect(executedActions(first).filter((a) => a.startsWith('orphan-volume'))).toEqual([
        'orphan-volume quarantine-volume → success',
        'orphan-volume quarantine-volume → success',
      ]);
      for (const id of ids) {
        const v = h.env.sim.state.getVolume(id);
        expect(v?.vmId).toBeNull();
        expect(h.env.sim.state.tagsOf('Volume', id).map((t) => t.key)).toEqual([QUARANTINE_TAG]);
      }
      // The delete is planned but waits for the TTL.
      const waiting = await h.plan();
      expect(decisionsOf(waiting.gated, 'orphan-volume')).toEqual([
        'delete-volume: blocked by grace',
        'delete-volume: blocked by grace',
      ]);
      expect(waiting.gated.find((d) => d.kind === 'orphan-volume')?.actions[0]?.blockedReason).toMatch(/^not before /);
      expect(checkInvariants(await readAppliance(h))).toEqual([]);

      for (const id of ids) ageQuarantineTag(h, id, 7 * 24 * 3600 + 60);
      const second = await h.applyUntilStable();
      expect(executedActions(second)).toEqual([
        'orphan-volume delete-volume → success',
        'orphan-volume delete-volume → success',
      ]);
      for (const id of ids) expect(h.env.sim.state.getVolume(id)).toBeUndefined();
      await expectRepairedAndIdle(h);
    });

    it('keeps the failover snapshot of a quarantined orphan as long as the volume can be restored, and deletes it after the volume', async () => {
      const ctx = contextIn(h, 'ready_for_failover');
      const volumeId = ctx.volumes[0]?.volumeId ?? '';
      const snap = h.env.sim.state.addSnapshot({ volumeId, name: 'multi-test-failover-disk-2000-1700000000' });
      await deleteContext(h, ctx.contextId);

      await h.applyUntilStable();
      expect(h.env.sim.state.getSnapshot(snap.id)?.state).toBe('BackedUp');
      const kept = (await h.plan()).gated.find((d) => d.kind === 'orphan-snapshot');
      expect(kept?.actions).toEqual([]);
      expect(kept?.note).toMatch(/^report only while its volume \(an orphan\) still exists/);

      for (const v of ctx.volumes) ageQuarantineTag(h, v.volumeId, 7 * 24 * 3600 + 60);
      const after = await h.applyUntilStable();
      expect(executedActions(after)).toEqual([
        'orphan-snapshot delete-snapshot → success',
        'orphan-volume delete-volume → success',
        'orphan-volume delete-volume → success',
      ]);
      expect(h.env.sim.state.getSnapshot(snap.id)?.state ?? 'gone').toMatch(/^(Destroyed|gone)$/);
      await expectRepairedAndIdle(h);
    });

    it('reattaches a volume that was detached from the OMA behind its back, and rebuilds its device mapping in the same move', async () => {
      const ctx = contextIn(h, 'ready_for_failover');
      const volumeId = ctx.volumes[1]?.volumeId ?? '';
      h.env.sim.state.detachVolume(volumeId);

      const passes = await h.applyUntilStable();
      expect(executedActions(passes)).toContain('volume-attachment attach-volume-to-oma → success');
      // The attach writes the Volume Daemon's bookkeeping itself: no later pass has to add the mapping.
      expect(executedActions(passes)).not.toContain('device-mapping create-device-mapping → success');
      const mapping = await h.db.db
        .selectFrom('device_mappings')
        .select(['vm_id', 'operation_mode'])
        .where('volume_uuid', '=', volumeId)
        .executeTakeFirst();
      expect(mapping).toEqual({ vm_id: h.omaVmId, operation_mode: 'oma' });
      expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBe(h.omaVmId);
      await expectRepairedAndIdle(h);
    });

    it('deletes a failover snapshot that nothing references any more', async () => {
      const ctx = contextIn(h, 'ready_for_failover');
      const snap = h.env.sim.state.addSnapshot({
        volumeId: ctx.volumes[0]?.volumeId ?? '',
        name: 'multi-test-failover-disk-2000-1700000000',
      });

      const passes = await h.applyUntilStable();
      expect(executedActions(passes)).toEqual(['orphan-snapshot delete-snapshot → success']);
      expect(h.env.sim.state.getSnapshot(snap.id)?.state ?? 'gone').toMatch(/^(Destroyed|gone)$/);
      await expectRepairedAndIdle(h);
    });

    it('destroys the test VM a completed failover left behind once the ledger knows it', async () => {
      const ctx = contextIn(h, 'ready_for_failover');
      const vm = h.env.sim.state.addVirtualMachine({ name: testVmName(ctx), displayName: testVmName(ctx) });
      await insertFailover(h, ctx, { status: 'completed', tracking: 'completed', destinationVmId: vm.id });

      const passes = await h.applyUntilStable();
      // First pass: only recorded in the ledger (the ownership gate held it); second pass: destroyed.
      expect(decisionsOf(passes[0]?.gated ?? [], 'leftover-test-vm')).toEqual([
        'destroy-test-vm: blocked by ownership',
      ]);
      expect(executedActions(passes)).toEqual(['leftover-test-vm destroy-test-vm → success']);
      expect(h.env.sim.state.getVirtualMachine(vm.id)?.state ?? 'gone').toMatch(/^(Destroyed|Expunging|gone)$/);
      await expectRepairedAndIdle(h);
    });
  });

  it('deletes a quarantined orphan at the next pass when the config file sets a zero TTL (apply through the CLI)', async () => {
    h = await startHarness({ config: { quarantineTtlSeconds: 0 } });
    await h.pass();
    const ctx = contextIn(h, 'replicating');
    await deleteContext(h, ctx.contextId);

    const first = await h.cli(['apply', '--grace-seconds', '0']);
    expect(first.stdout).toMatch(/success {2}quarantine-volume orphan-volume:volume:/);
    const second = await h.cli(['apply', '--grace-seconds', '0']);
    expect(second.stdout.match(/success {2}delete-volume /g)).toHaveLength(2);
    expect(second.code).toBe(0);
    for (const v of ctx.volumes) expect(h.env.sim.state.getVolume(v.volumeId)).toBeUndefined();
    const third = await h.cli(['apply', '--grace-seconds', '0']);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/^no drift$/m);
    expect((await auditEntries(h)).map((e) => `${e.action} ${e.outcome}`).filter((a) => a.includes('volume'))).toEqual([
      'quarantine-volume success',
      'quarantine-volume success',
      'delete-volume success',
      'delete-volume success',
    ]);
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
  });
});
