/**
 * `oma-reconciler undo ACTION_ID` against a whole appliance: a quarantine and an export removal,
 * each applied by the engine and reversed from its audit record to the state before.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUARANTINE_TAG } from '../../reconcilers/lib/names.js';
import { useSettledHarness, type Harness } from '../engine/helpers/appliance-harness.js';
import { auditEntries } from '../engine/helpers/audit.js';
import { byIdPath, contextIn, deleteContext, insertNbdRow, writeExportFile } from '../engine/helpers/inject-drift.js';

describe('oma-reconciler undo', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('reverses a quarantine: the tag is gone and the volume is back on the OMA, moved by the one volume writer', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[1]?.volumeId ?? '';
    const before = h.env.sim.state.getVolume(volumeId);
    const prior = { vmId: before?.vmId, deviceId: before?.deviceId };
    await deleteContext(h, ctx.contextId);
    await h.pass({ only: ['orphan-volume'] });
    expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBeNull();
    const action = (await auditEntries(h)).find((e) => e.action === 'quarantine-volume' && e.subjectId === volumeId);
    expect(action).toMatchObject({ outcome: 'success', reversible: true });

    const run = await h.cli(['undo', action?.id ?? '']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^undone: removed the quarantine of volume ${volumeId} and reattached it to ${h.omaVmId} \\(direct, volume operation [0-9a-f-]{36}\\); volume ${volumeId} is now held \\(no automatic action\\) until "oma-reconciler undo --release ${volumeId}"\n$`,
      ),
    );
    expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBe(prior.vmId);
    const mapping = await h.db.db
      .selectFrom('device_mappings')
      .select('vm_id')
      .where('volume_uuid', '=', volumeId)
      .executeTakeFirst();
    expect(mapping?.vm_id).toBe(h.omaVmId);
    expect(h.env.sim.state.tagsOf('Volume', volumeId).map((t) => t.key)).not.toContain(QUARANTINE_TAG);
    const audit = await auditEntries(h);
    expect(audit.find((e) => e.id === action?.id)?.outcome).toBe('undone');
    expect(audit.at(-1)).toMatchObject({ action: 'undo-quarantine-volume', outcome: 'success', subjectId: volumeId });

    const again = await h.cli(['undo', action?.id ?? '']);
    expect(again).toMatchObject({ code: 1, stderr: `not-reversible: action ${action?.id ?? ''} was already undone\n` });
  });

  it('reattaches when another volume took its old device slot since (the attach picks a free slot, as the Volume Daemon does)', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[0]?.volumeId ?? '';
    const oldDevice = h.env.sim.state.getVolume(volumeId)?.deviceId ?? -1;
    await deleteContext(h, ctx.contextId);
    await h.pass({ only: ['orphan-volume'] });
    const squatter = h.env.sim.state.addVolume({
      name: 'someone-else-disk',
      virtualMachineId: h.omaVmId,
      deviceId: oldDevice,
    });
    const action = (await auditEntries(h)).find((e) => e.action === 'quarantine-volume' && e.subjectId === volumeId);

    const run = await h.cli(['undo', action?.id ?? '']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^undone: removed the quarantine of volume ${volumeId} and reattached it to ${h.omaVmId} .*; volume ${volumeId} is now held`,
      ),
    );
    expect(h.env.sim.state.getVolume(volumeId)?.deviceId).not.toBe(oldDevice);
    expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBe(h.omaVmId);
    expect(h.env.sim.state.getVolume(squatter.id)?.deviceId).toBe(oldDevice);
  });

  it('reverses an export removal: the same file and the same row are back, and nbd-server serves the export again', async () => {
    const ctx = contextIn(h, 'failed_over_test');
    const volumeId = ctx.volumes[1]?.volumeId ?? '';
    const name = `migration-vol-${volumeId}`;
    const file = await writeExportFile(h, name, byIdPath(h, volumeId));
    await insertNbdRow(h, { contextId: ctx.contextId, volumeId, exportName: name, devicePath: byIdPath(h, volumeId) });
    await h.pass({ only: ['live-export-mismatch'] }); // the server serves it, as before a failover
    const text = await readFile(file, 'utf8');
    const row = await h.db.db
      .selectFrom('nbd_exports')
      .selectAll()
      .where('export_name', '=', name)
      .executeTakeFirstOrThrow();
    expect(await h.env.nbd?.nbdClientList()).toContain(name);

    await h.applyUntilStable({ only: ['orphan-nbd-export', 'live-export-mismatch'] });
    expect(await h.db.db.selectFrom('nbd_exports').selectAll().where('export_name', '=', name).execute()).toEqual([]);
    expect(await h.env.nbd?.nbdClientList()).not.toContain(name);
    const action = (await auditEntries(h)).find((e) => e.action === 'remove-nbd-export');
    expect(action).toMatchObject({ outcome: 'success', reversible: true, subjectId: name });

    const run = await h.cli(['undo', action?.id ?? '']);
    expect(run).toMatchObject({
      code: 0,
      stdout: `undone: restored export ${name}; nbd-export ${name} is now held (no automatic action) until "oma-reconciler undo --release ${name}"\n`,
    });
    expect(await readFile(join(h.env.dirs.confDir, `${name}.conf`), 'utf8')).toBe(text);
    expect(
      await h.db.db.selectFrom('nbd_exports').selectAll().where('export_name', '=', name).executeTakeFirstOrThrow(),
    ).toEqual(row);
    expect(await h.env.nbd?.nbdClientList()).toContain(name);
  });

  it('exits 2 for an action id nobody recorded, and 1 for an action that cannot be reversed', async () => {
    expect(await h.cli(['undo', '999999'])).toMatchObject({
      code: 2,
      stderr: 'oma-reconciler: error: undo: no recorded action 999999\n',
    });
    await h.db.db
      .updateTable('vm_replication_contexts')
      .set({ current_job_id: contextIn(h, 'ready_for_failover').replicationJobs.at(-1)?.id ?? null })
      .where('context_id', '=', contextIn(h, 'ready_for_failover').contextId)
      .execute();
    await h.pass();
    const cleared = (await auditEntries(h)).find((e) => e.action === 'clear-current-job');
    expect(await h.cli(['undo', cleared?.id ?? ''])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^not-reversible: action \d+ \(clear-current-job, success\) is not reversible\n$/,
      ) as unknown,
    });
  });
});
