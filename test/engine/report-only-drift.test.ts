/**
 * Drift the reconciler reports but never repairs by itself: a volume CloudStack lost, a volume on
 * someone else's VM, a replication without progress, a legacy export, an orphan whose device is in
 * use. Applying changes nothing about the subject, and the plan says why.
 */
import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { DriftKind } from '../../src/world/drift-kinds.js';
import { useSettledHarness, type Harness } from './helpers/appliance-harness.js';
import { auditEntries } from './helpers/audit.js';
import { checkInvariants } from './helpers/check-invariants.js';
import { byIdPath, contextIn, deleteContext, secondsAgo, writeExportFile } from './helpers/inject-drift.js';
import { fingerprint, readAppliance } from './helpers/read-appliance.js';

/** Applies only `kind` until stable and expects no change at all; returns the kind's drift items. */
async function applyChangesNothing(h: Harness, kind: DriftKind) {
  const before = await fingerprint(h);
  const passes = await h.applyUntilStable({ only: [kind] });
  expect(passes.flatMap((p) => p.executed)).toEqual([]);
  expect(await fingerprint(h)).toEqual(before);
  expect(await auditEntries(h)).toEqual([]);
  return (await h.plan()).gated.filter((d) => d.kind === kind);
}

describe('report-only drift', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('keeps the ossea_volumes row of a volume CloudStack no longer has, and says the row goes only with a cleanup request', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[0]?.volumeId ?? '';
    h.env.sim.state.removeVolume(volumeId);

    const [item] = await applyChangesNothing(h, 'missing-volume');
    expect(item?.actions).toEqual([]);
    expect(item?.note).toMatch(/^report only: .*cleanup request/);

    // The full pass removes what pointed at the lost volume (mapping, export), never the record itself.
    await h.applyUntilStable();
    const after = await readAppliance(h);
    expect(after.db.osseaVolumes.filter((v) => v.volume_id === volumeId)).toHaveLength(1);
    expect((await h.plan()).gated.map((d) => d.id)).toEqual([`missing-volume:volume:${volumeId}`]);
    const violations = checkInvariants(after);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.filter((v) => !v.includes(volumeId))).toEqual([]);
  });

  it('leaves a volume that sits on another VM where it is, with no failover in flight to own the move', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[1]?.volumeId ?? '';
    const other = h.env.sim.state.addVirtualMachine({ name: 'someone-elses-vm' });
    h.env.sim.state.attachVolume(volumeId, other.id);

    const [item] = await applyChangesNothing(h, 'volume-attachment');
    expect(item?.actions).toEqual([]);
    expect(item?.note).toMatch(/^report only: attached to another VM/);
    await h.applyUntilStable();
    expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBe(other.id);
    expect((await h.plan()).gated.filter((d) => d.kind === 'volume-attachment').map((d) => d.subject.id)).toEqual([
      volumeId,
    ]);
  });

  it('does not touch a replication job in its copy phase that stopped reporting progress: the data mover may still run', async () => {
    const ctx = contextIn(h, 'replicating');
    await h.db.db
      .updateTable('replication_jobs')
      .set({ updated_at: secondsAgo(7200), vma_last_poll_at: secondsAgo(7200) })
      .where('id', '=', ctx.currentJobId ?? '')
      .execute();

    const [item] = await applyChangesNothing(h, 'stuck-replication-job');
    expect(item?.note).toMatch(/^report only: the data mover runs on the SNA.*cleanup request/);
    const before = await fingerprint(h);
    await h.applyUntilStable();
    expect(await fingerprint(h)).toEqual(before);
  });

  it('reports a legacy migration-vm export without changing it (incident 4)', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    await writeExportFile(h, `migration-vm-${ctx.vmwareVmId}-disk0`, byIdPath(h, ctx.volumes[0]?.volumeId ?? ''));

    const before = await fingerprint(h);
    const passes = await h.applyUntilStable();
    expect(passes.flatMap((p) => p.executed)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
    const items = (await h.plan()).gated;
    expect(items.map((d) => [d.kind, d.actions.length, d.note?.slice(0, 19)])).toEqual([
      ['orphan-nbd-export', 0, 'legacy export name '],
      ['live-export-mismatch', 0, 'legacy export name:'],
    ]);
  });

  it('never quarantines an orphan volume whose device is held open on the OMA', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[0]?.volumeId ?? '';
    await deleteContext(h, ctx.contextId);
    const holder = await open(byIdPath(h, volumeId), 'r');
    try {
      await h.applyUntilStable({ only: ['orphan-volume'] });
      const item = (await h.plan({ only: ['orphan-volume'] })).gated.find((d) => d.subject.id === volumeId);
      expect(item?.actions).toEqual([]);
      expect(item?.note).toMatch(/^report only: its device on the OMA is in use/);
      expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBe(h.omaVmId);
      expect((await auditEntries(h)).filter((e) => e.subjectId === volumeId)).toEqual([]);
    } finally {
      await holder.close();
    }
  });
});
