/**
 * Seeded fault injection (issue 15, Done-when): 100 acting passes (grace 0) against an appliance
 * with true orphans, under faults of a busy cloud chosen by a seeded generator — 5xx, a proxy's
 * 504 after the work was done, short pages with a count to match, wrong counts, slow answers, conf.d
 * gone for a pass. Not one action may touch a healthy or foreign object; once the faults stop, the
 * true orphans are handled. The seed is printed, so a failure replays exactly.
 */
import { rename } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/simulator/sim-faults.js';
import { useSettledHarness, type Harness } from './helpers/appliance-harness.js';
import { auditEntries } from './helpers/audit.js';
import { contextIn, deleteContext } from './helpers/inject-drift.js';
import { seededRandom } from '../helpers/seeded-random.js';

type Fault = { readonly command: string; readonly rule: FaultRule } | { readonly confDirGone: true };

const FAULTS: readonly Fault[] = [
  { command: 'listVolumes', rule: { dropItems: 1, countSkew: -1, times: 1 } },
  { command: 'listVolumes', rule: { page: 1, errorStatus: 530 } },
  { command: 'listVolumes', rule: { countSkew: 2 } },
  { command: 'listSnapshots', rule: { errorStatus: 503 } },
  { command: 'listVirtualMachines', rule: { dropItems: 1, countSkew: -1, times: 1 } },
  { command: 'listVirtualMachines', rule: { countSkew: -1 } },
  { command: 'detachVolume', rule: { errorStatus: 504, afterExecute: true, times: 1 } },
  { command: 'createTags', rule: { errorStatus: 504, afterExecute: true, times: 1 } },
  { command: '*', rule: { latencyMs: 20, rate: 0.5 } },
  { command: 'queryAsyncJobResult', rule: { errorStatus: 502, rate: 0.3 } },
  { confDirGone: true },
];

describe('fault injection', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('takes no wrongful action in 100 faulty passes and handles the true orphans once the faults stop', async () => {
    const seed = Number(process.env.FAULT_SEED ?? 1515);
    console.info(`fault injection seed ${seed} (FAULT_SEED=${seed} replays it)`);
    const random = seededRandom(seed);
    const orphanCtx = contextIn(h, 'ready_for_failover');
    const orphanVolumes = new Set(orphanCtx.volumes.map((v) => v.volumeId));
    const orphanSubjects = new Set([...orphanVolumes, ...[...orphanVolumes].map((id) => `migration-vol-${id}`)]);
    const foreign = h.env.sim.state.addVolume({ name: 'another-tenants-disk' });
    const healthy = [...h.env.sim.state.volumes.values()]
      .filter((v) => !orphanVolumes.has(v.id))
      .map((v) => ({ id: v.id, vmId: v.vmId }));
    const healthyExports = (await h.db.db.selectFrom('nbd_exports').select('export_name').execute())
      .map((r) => r.export_name)
      .filter((n) => !orphanSubjects.has(n));
    await deleteContext(h, orphanCtx.contextId);

    const confDir = h.env.dirs.confDir;
    for (let pass = 0; pass < 100; pass++) {
      h.env.sim.faults.clear();
      const fault = FAULTS[Math.floor(random() * FAULTS.length)]!;
      const gone = 'confDirGone' in fault;
      if (gone) await rename(confDir, `${confDir}.away`);
      else h.env.sim.faults.set(fault.command, fault.rule);
      try {
        await h.pass().catch(() => undefined); // a pass may fail outright; it must never act wrongly
      } finally {
        if (gone) await rename(`${confDir}.away`, confDir);
      }
      const wrongful = (await auditEntries(h)).filter((e) => !orphanSubjects.has(e.subjectId));
      expect(wrongful, `pass ${pass} (${JSON.stringify(fault)})`).toEqual([]);
    }
    h.env.sim.faults.clear();
    for (const v of healthy) expect(h.env.sim.state.getVolume(v.id)?.vmId ?? null, v.id).toBe(v.vmId);
    expect(h.env.sim.state.tagsOf('Volume', foreign.id)).toEqual([]);
    const exportsNow = new Set(
      (await h.db.db.selectFrom('nbd_exports').select('export_name').execute()).map((r) => r.export_name),
    );
    for (const name of healthyExports) expect(exportsNow.has(name), name).toBe(true);

    // Faults over: the true orphans are quarantined and their exports removed.
    await h.applyUntilStable({}, 6);
    for (const id of orphanVolumes) {
      const volume = h.env.sim.state.getVolume(id);
      expect(volume?.vmId ?? null, id).toBeNull();
      expect(
        h.env.sim.state.tagsOf('Volume', id).map((t) => t.key),
        id,
      ).toContain('oma-reconciler/quarantined-at');
    }
    const exportsAfter = new Set(
      (await h.db.db.selectFrom('nbd_exports').select('export_name').execute()).map((r) => r.export_name),
    );
    for (const id of orphanVolumes) expect(exportsAfter.has(`migration-vol-${id}`), id).toBe(false);
    for (const name of healthyExports) expect(exportsAfter.has(name), name).toBe(true);
    // Each orphan was quarantined once, however many answers were lost on the way.
    const quarantines = (await auditEntries(h))
      .filter((e) => e.action === 'quarantine-volume' && e.outcome === 'success')
      .map((e) => e.subjectId);
    expect(quarantines.sort()).toEqual([...orphanVolumes].sort());
  }, 600_000);
});
