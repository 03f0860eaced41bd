/**
 * Undo you can trust (issue 15): `undo` re-checks live state before acting and refuses, with a
 * sentence saying what changed, an action that is no longer the latest on its subject or whose
 * subject changed since (exit 1, nothing changed); a successful undo holds its subject — shown by
 * `explain` — so the next passes do not redo it, until the operator releases it.
 */
import { describe, expect, it } from 'vitest';
import { recordIntent, recordOutcome } from '../../src/engine/store/audit-log.js';
import { useSettledHarness, type Harness } from '../engine/helpers/appliance-harness.js';
import { auditEntries } from '../engine/helpers/audit.js';
import { byIdPath, contextIn, deleteContext, insertNbdRow, writeExportFile } from '../engine/helpers/inject-drift.js';
import { fingerprint } from '../engine/helpers/read-appliance.js';

describe('undo against live state', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  async function quarantined(): Promise<{ volumeId: string; actionId: string }> {
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[1]?.volumeId ?? '';
    await deleteContext(h, ctx.contextId);
    await h.pass({ only: ['orphan-volume'] });
    const action = (await auditEntries(h)).find((e) => e.action === 'quarantine-volume' && e.subjectId === volumeId);
    return { volumeId, actionId: action?.id ?? '' };
  }

  it('refuses a quarantine whose volume was deleted since, saying so, and changes nothing', async () => {
    const { volumeId, actionId } = await quarantined();
    h.env.sim.state.removeVolume(volumeId);
    const before = await fingerprint(h);
    const run = await h.cli(['undo', actionId]);
    expect(run).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `not-reversible: refused: volume ${volumeId} no longer exists in CloudStack (deleted since the quarantine); there is nothing to give back\n`,
    });
    expect(await fingerprint(h)).toEqual(before);
    expect((await auditEntries(h)).map((e) => e.action)).not.toContain('undo-quarantine-volume');
  });

  it('refuses an action that is no longer the latest on its subject', async () => {
    const { volumeId, actionId } = await quarantined();
    const later = await recordIntent(h.db.db, {
      passId: 'later',
      driftId: null,
      kind: 'orphan-volume',
      action: 'delete-volume',
      subject: { type: 'volume', id: volumeId, name: null },
      contextId: null,
      destructive: true,
      detail: {},
      actor: 'daemon',
      leaderHost: null,
    });
    await recordOutcome(h.db.db, later, 'success', null, null, new Date());
    const run = await h.cli(['undo', actionId]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^not-reversible: refused: action ${actionId} \\(quarantine-volume\\) is no longer the latest on volume ${volumeId}: action ${later} \\(delete-volume, success\\) came after it at \\S+Z\\n$`,
      ),
    );
  });

  it('refuses a device-mapping update whose row was replaced since', async () => {
    // A volume of a context at rest (no replication in flight).
    const volumeId = contextIn(h, 'ready_for_failover').volumes[0]?.volumeId ?? '';
    const row = await h.db.db
      .selectFrom('device_mappings')
      .selectAll()
      .where('volume_uuid', '=', volumeId)
      .executeTakeFirstOrThrow();
    await h.db.db.updateTable('device_mappings').set({ vm_id: 'some-other-vm' }).where('id', '=', row.id).execute();
    await h.pass({ only: ['device-mapping'] });
    const update = (await auditEntries(h)).find((e) => e.action === 'update-device-mapping');
    expect(update).toMatchObject({ outcome: 'success', reversible: true });
    // The Volume Daemon replaced the row since (a new id for the same volume).
    await h.db.db.deleteFrom('device_mappings').where('id', '=', row.id).execute();
    await h.db.db
      .insertInto('device_mappings')
      .values({ ...row, id: 'replacement-row' })
      .execute();
    const run = await h.cli(['undo', update?.id ?? '']);
    expect(run).toMatchObject({
      code: 1,
      stderr: `not-reversible: refused: the device_mappings row of volume ${row.volume_uuid} was replaced since (now row replacement-row, ${row.device_path})\n`,
    });
  });

  it('holds a restored export: the next 3 passes leave it alone, explain shows the hold, and --release lets the reconciler act again', async () => {
    const ctx = contextIn(h, 'failed_over_test');
    const volumeId = ctx.volumes[1]?.volumeId ?? '';
    const name = `migration-vol-${volumeId}`;
    await writeExportFile(h, name, byIdPath(h, volumeId));
    await insertNbdRow(h, { contextId: ctx.contextId, volumeId, exportName: name, devicePath: byIdPath(h, volumeId) });
    await h.applyUntilStable({ only: ['orphan-nbd-export', 'live-export-mismatch'] });
    const removal = (await auditEntries(h)).find((e) => e.action === 'remove-nbd-export');
    const undone = await h.cli(['undo', removal?.id ?? '']);
    expect(undone.code, undone.stderr).toBe(0);

    for (let i = 0; i < 3; i++) {
      const pass = await h.pass();
      expect(pass.executed.filter((e) => e.result !== 'dry_run')).toEqual([]);
      const item = pass.gated.find((d) => d.subject.id === name);
      expect(item?.actions.map((a) => [a.action, a.blockedBy])).toEqual([['remove-nbd-export', 'paused']]);
    }
    expect(
      await h.db.db.selectFrom('nbd_exports').select('export_name').where('export_name', '=', name).execute(),
    ).toHaveLength(1);
    const explained = await h.cli(['explain', name]);
    expect(explained.stdout).toContain(`is held since the undo of action ${removal?.id ?? ''} (remove-nbd-export)`);
    expect(explained.stdout).toContain(`release with "oma-reconciler undo --release ${name}"`);

    expect(await h.cli(['undo', '--release', name])).toMatchObject({
      code: 0,
      stdout: `released: ${name} is no longer held\n`,
    });
    expect(await h.cli(['undo', '--release', name])).toMatchObject({ code: 1, stderr: `undo: ${name} is not held\n` });
    await h.applyUntilStable({ only: ['orphan-nbd-export', 'live-export-mismatch'] });
    expect(
      await h.db.db.selectFrom('nbd_exports').select('export_name').where('export_name', '=', name).execute(),
    ).toEqual([]);
  });
});
