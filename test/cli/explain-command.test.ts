/**
 * `oma-reconciler explain SUBJECT` against a whole appliance: what each source says about the
 * subject, the drift rules that match it with every gate's verdict, and the recorded actions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../engine/helpers/appliance-harness.js';
import { contextIn, deleteContext } from '../engine/helpers/inject-drift.js';

describe('oma-reconciler explain', () => {
  let h: Harness;
  let orphan: string;
  let healthy: string;
  beforeAll(async () => {
    h = await startHarness();
    await h.pass();
    const ready = contextIn(h, 'ready_for_failover');
    orphan = ready.volumes[0]?.volumeId ?? '';
    healthy = contextIn(h, 'replicating').volumes[0]?.volumeId ?? '';
    await deleteContext(h, ready.contextId);
    await h.pass({ graceOverride: null }); // first sighting recorded; grace holds every action back
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows what every source says about a healthy volume, and that no drift rule matches it (exit 0)', async () => {
    const run = await h.cli(['explain', healthy]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^sources:\n {2}database: complete\n {2}cloudstack: complete\n {2}nbd: complete\n {2}devices: complete$/m,
    );
    for (const source of [
      'database.ossea_volumes',
      'database.device_mappings',
      'database.nbd_exports',
      'ledger',
      'cloudstack.volumes',
      'nbd.configured',
      'nbd.live',
      'devices.links',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^ {2}${source.replace('.', '\\.')}: `, 'm'));
    }
    expect(run.stdout).toMatch(/^drift:\n {2}none$/m);
  });

  it('shows the drift of an orphan volume with each gate decision in order, up to the gate that holds it (exit 0)', async () => {
    const run = await h.cli(['explain', orphan]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^ {2}orphan-volume \\(orphan\\) volume ${orphan}, first seen \\d{4}-`, 'm'));
    expect(run.stdout).toMatch(/^ {4}evidence ledger: recorded since .*\(ossea_volumes\.volume_id of /m);
    expect(run.stdout).toMatch(
      /^ {4}action quarantine-volume \(destructive\): blocked by grace: first seen .* orphan-volume waits 3600s$/m,
    );
    const gates = [...run.stdout.matchAll(/^ {6}gate ([a-z-]+): (pass|BLOCK)/gm)].map(
      (m) => `${m[1] ?? ''}:${m[2] ?? ''}`,
    );
    // Two drift items match: the volume itself, and its export that nbd-server still configures.
    expect(gates).toEqual(
      [...Array<string[]>(2).fill(['incomplete-source:pass', 'sanity:pass', 'ownership:pass', 'grace:BLOCK'])].flat(),
    );
    expect(run.stdout).toMatch(
      new RegExp(`^ {2}orphan-nbd-export \\(orphan\\) nbd-export migration-vol-${orphan}, first seen `, 'm'),
    );
    expect(run.stdout).toMatch(new RegExp(`^ {2}nbd\\.configured: \\{"name":"migration-vol-${orphan}"`, 'm'));
    expect(run.stdout).toMatch(/^ {2}cloudstack\.volumes: \{.*"virtualMachineId":"[0-9a-f-]{36}"/m);
  });

  it('answers the same in JSON, with the recorded actions of the subject', async () => {
    const run = await h.cli(['explain', orphan, '--output', 'json']);
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as {
      subject: string;
      drift: { kind: string; actions: { trail: { gate: string }[] }[] }[];
      recordedActions: unknown[];
      facts: Record<string, unknown[]>;
    };
    expect(body.subject).toBe(orphan);
    expect(body.drift.map((d) => d.kind)).toEqual(['orphan-volume', 'orphan-nbd-export']);
    expect(body.drift[0]?.actions[0]?.trail.map((c) => c.gate)).toEqual([
      'incomplete-source',
      'sanity',
      'ownership',
      'grace',
    ]);
    expect(body.facts['cloudstack.volumes']).toHaveLength(1);
    expect(body.recordedActions).toEqual([]);
  });

  it('lists, for a VM name, the actions recorded on its jobs and volumes', async () => {
    const ctx = contextIn(h, 'failed');
    const jobId = ctx.replicationJobs.at(-1)?.id ?? '';
    expect((await h.cli(['cleanup', 'request', jobId, '--keep-volumes'])).code).toBe(0);
    await h.pass({ only: ['cleanup-request'] });
    const run = await h.cli(['explain', ctx.vmName]);
    expect(run.code).toBe(0);
    const recorded = run.stdout.slice(run.stdout.indexOf('recorded actions:'));
    expect(recorded).toMatch(
      new RegExp(`#\\d+ \\S+ cleanup-request run-replication-job-cleanup replication-job \\S+ → success`),
    );
  });

  it('exits 2 for a subject no source, drift item or recorded action mentions', async () => {
    const run = await h.cli(['explain', 'no-such-volume-0000']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'oma-reconciler: error: explain: no source, drift item or recorded action mentions "no-such-volume-0000"\n',
    });
  });
});
