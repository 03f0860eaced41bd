/**
 * Safety when a source cannot be trusted: a CloudStack listing that breaks on page 3, a database
 * that lost its VM contexts, a wrong OMA VM id, nbd-server configuration that cannot be read. Each test puts real
 * destructive drift in place first, then checks that not one destructive action was attempted
 * (audit log) and that CloudStack and conf.d are exactly as they were.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planJsonSchema } from '../../src/engine/plan-json.js';
import type { PlanJson } from '../../src/reconcile/types.js';
import { startHarness, type Harness } from './helpers/appliance-harness.js';
import { destructiveAttempts } from './helpers/audit.js';
import {
  byIdPath,
  contextIn,
  deleteContext,
  insertNbdRow,
  newVolumeId,
  writeExportFile,
} from './helpers/inject-drift.js';
import { fingerprint } from './helpers/read-appliance.js';

/** Destructive drift every test starts from: a deleted context (orphan volumes and exports) and an orphan snapshot. */
async function injectDestructiveDrift(h: Harness): Promise<void> {
  await h.pass(); // the ownership ledger knows every volume
  const ready = contextIn(h, 'ready_for_failover');
  h.env.sim.state.addSnapshot({
    volumeId: contextIn(h, 'replicating').volumes[0]?.volumeId ?? '',
    name: 'multi-test-failover-disk-2000-1700000000',
  });
  await deleteContext(h, ready.contextId);
}

/** The plan JSON's drift, as much of it as this file reads (the parsed and the built shape both fit). */
interface PlanDrift {
  readonly drift: readonly {
    readonly kind: string;
    readonly actions: readonly Pick<
      PlanJson['drift'][number]['actions'][number],
      'action' | 'destructive' | 'decision' | 'blockedBy'
    >[];
  }[];
}

function destructiveDecisions(plan: PlanDrift): string[] {
  return plan.drift.flatMap((d) =>
    d.actions.filter((a) => a.destructive).map((a) => `${d.kind} ${a.action}: ${a.decision}/${a.blockedBy ?? '-'}`),
  );
}

describe('a source that cannot be trusted stops every destructive action', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('treats a volume listing that fails on page 3 as incomplete, not as "those volumes are gone"', async () => {
    h = await startHarness({ config: { cloudstack: { pageSize: 4 } } });
    await injectDestructiveDrift(h);
    expect(h.env.sim.state.volumes.size).toBeGreaterThan(8); // three pages of four
    h.env.sim.faults.set('listVolumes', { page: 3, errorStatus: 530 });
    const before = await fingerprint(h);

    const result = await h.pass();
    expect(result.plan.sources.cloudstack.complete).toBe(false);
    expect(result.plan.sources.cloudstack.error).toMatch(/listVolumes/);
    const destructive = destructiveDecisions(result.plan);
    expect(destructive).toEqual([
      'orphan-volume quarantine-volume: blocked/incomplete-source',
      'orphan-volume quarantine-volume: blocked/incomplete-source',
      'orphan-snapshot delete-snapshot: blocked/incomplete-source',
      'orphan-nbd-export remove-nbd-export: blocked/incomplete-source',
      'orphan-nbd-export remove-nbd-export: blocked/incomplete-source',
    ]);
    expect(result.executed.filter((e) => e.result !== 'dry_run')).toEqual([]);
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('trips the sanity gate when the database lost every VM context while CloudStack still holds ledger volumes', async () => {
    h = await startHarness();
    await injectDestructiveDrift(h);
    await h.db.db.deleteFrom('vm_replication_contexts').execute();
    const before = await fingerprint(h);

    const result = await h.pass();
    expect(result.report.trips).toContain('sanity');
    expect(result.plan.mode).toBe('observe');
    const destructive = destructiveDecisions(result.plan);
    expect(destructive.length).toBeGreaterThan(10);
    expect(destructive.filter((d) => !d.endsWith('blocked/sanity'))).toEqual([]);
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
    // A second pass does not get used to it.
    expect((await h.pass()).report.trips).toContain('sanity');
    expect(await destructiveAttempts(h)).toEqual([]);
  });

  it('with a wrong OMA VM id (incident 12) sees no volume as detached or foreign, and changes nothing', async () => {
    h = await startHarness();
    await h.pass();
    const before = await fingerprint(h);

    const run = await h.cli(['apply', '--grace-seconds', '0'], { OMA_VM_ID: '00000000-0000-4000-8000-000000000000' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^no drift$/m);
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('stands NBD repairs down when one conf.d file cannot be parsed, instead of reading conf.d as empty', async () => {
    h = await startHarness();
    await h.pass();
    const gone = newVolumeId();
    await writeExportFile(h, `migration-vol-${gone}`, byIdPath(h, gone));
    await insertNbdRow(h, {
      contextId: null,
      volumeId: newVolumeId(),
      exportName: `migration-vol-${newVolumeId()}`,
      devicePath: '/dev/vdx',
    });
    await writeFile(join(h.env.dirs.confDir, 'broken.conf'), '[broken\nexportname = /dev/vdy\n');
    const before = await fingerprint(h);

    const result = await h.pass();
    expect(result.plan.sources.nbd).toEqual({
      complete: false,
      error: expect.stringContaining('broken.conf') as unknown,
    });
    expect(result.executed.filter((e) => e.result !== 'dry_run')).toEqual([]);
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('stands NBD repairs down when NBD_CONF_DIR is not a directory, and says so in the plan (CLI)', async () => {
    h = await startHarness();
    await h.pass();
    const gone = newVolumeId();
    await insertNbdRow(h, {
      contextId: null,
      volumeId: gone,
      exportName: `migration-vol-${gone}`,
      devicePath: byIdPath(h, gone),
    });
    const notADir = join(h.env.dirs.root, 'conf.d-is-a-file');
    await writeFile(notADir, '');
    const before = await fingerprint(h);

    const planned = await h.cli(['plan', '--output', 'json', '--grace-seconds', '0'], { NBD_CONF_DIR: notADir });
    const plan = planJsonSchema.parse(JSON.parse(planned.stdout));
    expect(plan.sources.nbd).toEqual({
      complete: false,
      error: expect.stringMatching(/^cannot read conf\.d /) as unknown,
    });
    expect(destructiveDecisions(plan)).toEqual(['orphan-row delete-row: blocked/incomplete-source']);
    expect(planned.code).toBe(2);
    const applied = await h.cli(['apply', '--grace-seconds', '0'], { NBD_CONF_DIR: notADir });
    expect(applied.code).toBe(2);
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });
});
