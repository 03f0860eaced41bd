/**
 * Safety gates against a live appliance: ownership (a look-alike volume), in-flight (a snapshot of
 * a context whose failover is running), grace (a second pass right after the first sighting),
 * paused (an operator's annotation) and the per-pass budget (2 of 5 orphans, the rest held back,
 * then dry-run until reset).
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptObject } from '../../src/engine/store/ledger-store.js';
import { startHarness, type Harness } from './helpers/appliance-harness.js';
import { destructiveAttempts, decisionsOf } from './helpers/audit.js';
import { byIdPath, contextIn, deleteContext, insertFailover, newVolumeId } from './helpers/inject-drift.js';
import { fingerprint } from './helpers/read-appliance.js';

describe('safety gates on a running appliance', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('never touches a volume named like ours that the database never referenced, and explains how to adopt it', async () => {
    h = await startHarness();
    await h.pass();
    const detached = h.env.sim.state.addVolume({ name: 'migration-lookalike-lookalike-disk-0' });
    const attached = h.env.sim.state.addVolume({
      name: 'migration-stranger-stranger-disk-1',
      virtualMachineId: h.omaVmId,
    });
    const before = await fingerprint(h);

    const passes = await h.applyUntilStable();
    expect(passes.flatMap((p) => p.executed)).toEqual([]);
    const items = (await h.plan()).gated.filter((d) => d.kind === 'orphan-volume');
    expect(items.map((d) => d.subject.id).sort()).toEqual([detached.id, attached.id].sort());
    for (const item of items) {
      expect(item.actions.map((a) => `${a.action}: ${a.blockedBy ?? 'run'} (${a.blockedReason ?? ''})`)).toEqual([
        'quarantine-volume: ownership (ownership checks failing: inLedger)',
      ]);
      expect(item.note).toMatch(/oma-reconciler adopt volume [0-9a-f-]{36} --reason TEXT/);
    }
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('never detaches the disks of a production VM, nor deletes their rollback snapshots, after its live-failover context was deleted', async () => {
    h = await startHarness();
    await h.pass();
    const ctx = contextIn(h, 'failed_over_live');
    const liveVm = ctx.failover?.destinationVm.id ?? '';
    await deleteContext(h, ctx.contextId); // the GUI's "delete VM": every row of it cascades away
    const before = await fingerprint(h);

    const passes = await h.applyUntilStable();
    expect(passes.flatMap((p) => p.executed)).toEqual([]);
    const planned = await h.plan();
    const volumes = planned.gated.filter((d) => d.kind === 'orphan-volume');
    expect(volumes.map((d) => d.actions.map((a) => `${a.action}: ${a.blockedReason ?? 'run'}`))).toEqual(
      Array(2).fill(['quarantine-volume: ownership checks failing: notLiveFailoverVm']),
    );
    expect(volumes[0]?.note).toMatch(/neither the OMA nor a known test VM and may be production/);
    const snapshots = planned.gated.filter((d) => d.kind === 'orphan-snapshot');
    expect(snapshots.map((d) => d.actions)).toEqual([[], []]);
    for (const v of ctx.volumes) expect(h.env.sim.state.getVolume(v.volumeId)?.vmId).toBe(liveVm);
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('leaves alone an unreferenced snapshot, and every other destructive repair, of a context whose failover is running', async () => {
    h = await startHarness();
    await h.pass();
    const ctx = contextIn(h, 'ready_for_failover');
    await insertFailover(h, ctx, { status: 'pending', tracking: 'running' });
    const snap = h.env.sim.state.addSnapshot({
      volumeId: ctx.volumes[0]?.volumeId ?? '',
      name: 'multi-test-failover-disk-2000-1700000000',
    });
    const gone = newVolumeId();
    await h.db.db
      .insertInto('device_mappings')
      .values({
        vm_context_id: ctx.contextId,
        volume_uuid: gone,
        vm_id: h.omaVmId,
        operation_mode: 'oma',
        device_path: byIdPath(h, gone),
        cloudstack_state: 'attached',
        linux_state: 'detected',
        size: 0,
      })
      .execute();
    const before = await fingerprint(h);

    const passes = await h.applyUntilStable();
    expect(passes.flatMap((p) => p.executed)).toEqual([]);
    const planned = await h.plan();
    expect(planned.gated.filter((d) => d.kind === 'orphan-snapshot')).toEqual([]);
    expect(decisionsOf(planned.gated, 'device-mapping')).toEqual(['delete-device-mapping: blocked by in-flight']);
    expect(h.env.sim.state.getSnapshot(snap.id)?.state).toBe('BackedUp');
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('holds an orphan back for its whole grace period: a second pass right after the first sighting still waits', async () => {
    h = await startHarness();
    await h.pass();
    await deleteContext(h, contextIn(h, 'ready_for_failover').contextId);
    const before = await fingerprint(h);

    const first = await h.pass({ graceOverride: null });
    const second = await h.pass({ graceOverride: null });
    for (const result of [first, second]) {
      expect(decisionsOf(result.gated, 'orphan-volume')).toEqual([
        'quarantine-volume: blocked by grace',
        'quarantine-volume: blocked by grace',
      ]);
      expect(result.executed).toEqual([]);
    }
    const item = second.gated.find((d) => d.kind === 'orphan-volume');
    expect(item?.firstSeenAt).toBe(first.gated.find((d) => d.id === item?.id)?.firstSeenAt);
    expect(item?.actions[0]?.blockedReason).toMatch(/orphan-volume waits 3600s$/);
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('only reports drift of a context an operator paused, and repairs it once the annotation is gone', async () => {
    h = await startHarness();
    await h.pass();
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[0]?.volumeId ?? '';
    await sql`update vm_replication_contexts set annotations = json_object('oma-reconciler/paused', 'true') where context_id = ${ctx.contextId}`.execute(
      h.db.db,
    );
    h.env.sim.state.detachVolume(volumeId);

    const paused = await h.applyUntilStable();
    expect(paused.flatMap((p) => p.executed)).toEqual([]);
    const planned = await h.plan();
    expect(
      planned.gated.flatMap((d) => d.actions.map((a) => `${d.kind} ${a.action}: ${a.blockedBy ?? 'run'}`)).sort(),
    ).toEqual(['device-mapping delete-device-mapping: paused', 'volume-attachment attach-volume-to-oma: paused']);
    expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBeNull();

    await h.db.db
      .updateTable('vm_replication_contexts')
      .set({ annotations: null })
      .where('context_id', '=', ctx.contextId)
      .execute();
    await h.applyUntilStable();
    expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBe(h.omaVmId);
  });

  it('runs 2 of 5 quarantines with a budget of 2 per pass, holds 3 back, and stays in dry-run until an operator resets it', async () => {
    h = await startHarness({ config: { budget: { destructivePerPass: 2 } } });
    await h.pass();
    const orphans = [1, 2, 3, 4, 5].map(
      (i) => h.env.sim.state.addVolume({ name: `migration-old${i}-old${i}-disk-0` }).id,
    );
    for (const id of orphans) await adoptObject(h.db.db, 'volume', id, 'test operator', new Date());

    const result = await h.pass();
    expect(result.executed.map((e) => `${e.action} ${e.result}`)).toEqual([
      'quarantine-volume success',
      'quarantine-volume success',
    ]);
    expect(result.report.blocked.map((b) => `${b.action} ${b.gate}`)).toEqual(
      Array(3).fill('quarantine-volume budget'),
    );
    expect(result.report.trips).toEqual(['budget']);
    expect(await destructiveAttempts(h)).toHaveLength(2);
    const tagged = orphans.filter((id) => h.env.sim.state.tagsOf('Volume', id).length > 0);
    expect(tagged).toHaveLength(2);

    // The trip leaves a dry-run ceiling: the next pass decides but does not act.
    const next = await h.pass();
    expect(next.plan.mode).toBe('dry-run');
    expect(next.executed.map((e) => `${e.action} ${e.result}`)).toEqual(Array(2).fill('quarantine-volume dry_run'));
    expect(await destructiveAttempts(h)).toHaveLength(2);

    // An operator resets it: the next two run, and the last one trips the budget again.
    const reset = await h.cli(['apply', '--reset-budget', '--grace-seconds', '0']);
    expect(reset.stderr).toMatch(/^apply: budget reset \(it had tripped: budget exceeded: /);
    expect(reset.stdout.match(/^success {2}quarantine-volume /gm)).toHaveLength(2);
    expect(await destructiveAttempts(h)).toHaveLength(4);
    expect(orphans.filter((id) => h.env.sim.state.tagsOf('Volume', id).length > 0)).toHaveLength(4);
  });
});
