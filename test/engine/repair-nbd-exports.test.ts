/**
 * NBD drift repaired end to end with a real nbd-server 3.24: exports nobody should serve, exports
 * that are missing or point at the wrong path, and a server whose in-memory list disagrees with
 * its config files (3.24 takes changes only at an idle restart, never a SIGHUP).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openNbdSession } from '../../src/nbd/nbd-client.js';
import { startHarness, type Harness } from './helpers/appliance-harness.js';
import { auditEntries, decisionsOf, executedActions } from './helpers/audit.js';
import { expectRepairedAndIdle } from './helpers/expect-repaired.js';
import {
  byIdPath,
  contextIn,
  insertNbdRow,
  newVolumeId,
  removeExportFile,
  writeExportFile,
} from './helpers/inject-drift.js';
import { readAppliance } from './helpers/read-appliance.js';

async function served(h: Harness): Promise<string[]> {
  return (await h.env.nbd?.nbdClientList()) ?? [];
}

describe('NBD export drift on a running appliance', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    if (!h.env.nbd) throw new Error('these tests need /usr/bin/nbd-server (nbd-server 3.24)');
    await h.pass();
  });
  afterEach(async () => {
    await h.close();
  });

  it('removes an export file whose volume no longer exists, without restarting a server that never loaded it', async () => {
    const volumeId = newVolumeId();
    const name = `migration-vol-${volumeId}`;
    await writeExportFile(h, name, byIdPath(h, volumeId));
    const pidBefore = await h.env.nbd?.currentPid();

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual([
      'live-export-mismatch restart-nbd-server → success',
      'orphan-nbd-export remove-nbd-export → success',
    ]);
    expect(await served(h)).not.toContain(name);
    expect(await h.env.nbd?.currentPid()).toBe(pidBefore);
    await expectRepairedAndIdle(h);
  });

  it('removes the export file and row of a volume that a test failover moved to its test VM (incident 11)', async () => {
    const ctx = contextIn(h, 'failed_over_test');
    const volume = ctx.volumes[1];
    if (!volume) throw new Error('no data volume');
    const name = `migration-vol-${volume.volumeId}`;
    await writeExportFile(h, name, byIdPath(h, volume.volumeId));
    await insertNbdRow(h, {
      contextId: ctx.contextId,
      volumeId: volume.volumeId,
      exportName: name,
      devicePath: byIdPath(h, volume.volumeId),
    });

    const plan = await h.plan();
    expect(plan.gated.find((d) => d.kind === 'orphan-nbd-export')?.evidence.map((e) => e.fact)).toContainEqual(
      expect.stringMatching(/attached to VM .*not the OMA/),
    );
    await h.applyUntilStable();
    const after = await readAppliance(h);
    expect(after.db.nbdExports.filter((e) => e.export_name === name)).toEqual([]);
    expect(after.nbd.configured.map((e) => e.name)).not.toContain(name);
    await expectRepairedAndIdle(h);
  });

  it('writes back the file and the row of an export the Volume Daemon lost, served again after an idle restart', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[0]?.volumeId ?? '';
    const name = `migration-vol-${volumeId}`;
    await removeExportFile(h, name);
    await h.db.db.deleteFrom('nbd_exports').where('export_name', '=', name).execute();

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual([
      'live-export-mismatch restart-nbd-server → success',
      'missing-nbd-export add-nbd-export → success',
    ]);
    const text = await readFile(join(h.env.dirs.confDir, `${name}.conf`), 'utf8');
    expect(text).toContain(`exportname = ${byIdPath(h, volumeId)}`);
    expect(await served(h)).toContain(name);
    await expectRepairedAndIdle(h);
  });

  it('inserts the missing nbd_exports row of an export whose file is still there (§3.6 "already exists")', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const name = `migration-vol-${ctx.volumes[1]?.volumeId ?? ''}`;
    await h.db.db.deleteFrom('nbd_exports').where('export_name', '=', name).execute();

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual(['missing-nbd-export add-nbd-export → success']);
    expect((await readAppliance(h)).db.nbdExports.filter((e) => e.export_name === name)).toHaveLength(1);
    await expectRepairedAndIdle(h);
  });

  it('recreates the nbd_exports rows a deleted replication job cascaded away, while their export files stay in place (§1.3)', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const newest = ctx.replicationJobs.at(-1)?.id ?? '';
    await h.db.db
      .updateTable('vm_replication_contexts')
      .set({ last_successful_job_id: null })
      .where('context_id', '=', ctx.contextId)
      .execute();
    await h.db.db.deleteFrom('replication_jobs').where('id', '=', newest).execute();
    const texts = (await readAppliance(h)).nbd.texts;

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual([
      'missing-nbd-export add-nbd-export → success',
      'missing-nbd-export add-nbd-export → success',
    ]);
    const after = await readAppliance(h);
    expect(
      after.db.nbdExports
        .filter((e) => e.vm_context_id === ctx.contextId)
        .map((e) => e.export_name)
        .sort(),
    ).toEqual(ctx.volumes.map((v) => `migration-vol-${v.volumeId}`).sort());
    expect(Object.keys(after.nbd.texts).sort()).toEqual(Object.keys(texts).sort());
    await expectRepairedAndIdle(h);
  });

  it('rewrites an export that points at a wrong device path and restarts the idle server onto the new path', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[1]?.volumeId ?? '';
    const name = `migration-vol-${volumeId}`;
    await writeExportFile(h, name, '/dev/vdz');

    const plan = await h.plan();
    expect(plan.gated.filter((d) => d.kind === 'missing-nbd-export').map((d) => d.class)).toEqual(['mismatch']);
    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toContain('missing-nbd-export add-nbd-export → success');
    expect((await readAppliance(h)).nbd.configured.find((e) => e.name === name)?.exportname).toBe(
      byIdPath(h, volumeId),
    );
    await expectRepairedAndIdle(h);
  });

  it('never restarts nbd-server under a connected replication client: the change waits, then applies once idle (incident 2)', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const [busy, lost] = ctx.volumes.map((v) => `migration-vol-${v.volumeId}`);
    const session = await openNbdSession({ host: '127.0.0.1', port: h.env.nbdPort }, busy ?? '');
    const pid = await h.env.nbd?.currentPid();
    await removeExportFile(h, lost ?? '');
    await h.db.db
      .deleteFrom('nbd_exports')
      .where('export_name', '=', lost ?? '')
      .execute();

    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual(['missing-nbd-export add-nbd-export → success']);
    const waiting = await h.plan();
    expect(waiting.gated.map((d) => [d.kind, d.note])).toEqual([
      [
        'live-export-mismatch',
        'nbd-server has 1 live session(s); the NBD manager restarts it only when idle, the change stays pending until then',
      ],
    ]);
    expect(waiting.gated[0]?.actions.map((a) => [a.action, a.blockedBy, a.blockedReason])).toEqual([
      ['restart-nbd-server', 'in-flight', 'nbd-server has 1 live session(s); it is restarted only when idle'],
    ]);
    expect(await h.env.nbd?.currentPid()).toBe(pid);
    expect((await session.read(0n, 512)).length).toBe(512);
    expect((await auditEntries(h)).map((e) => e.action)).toEqual(['add-nbd-export']);

    await session.close();
    const idle = await h.applyUntilStable();
    expect(executedActions(idle)).toEqual(['live-export-mismatch restart-nbd-server → success']);
    expect(await h.env.nbd?.currentPid()).not.toBe(pid);
    await expectRepairedAndIdle(h);
  });

  it('drops from memory an export the Volume Daemon removed, and serves one it added, each by one idle restart', async () => {
    const ctx = contextIn(h, 'failed');
    const volumeId = ctx.volumes[0]?.volumeId ?? '';
    const name = `migration-vol-${volumeId}`;
    const row = await h.db.db
      .selectFrom('nbd_exports')
      .selectAll()
      .where('export_name', '=', name)
      .executeTakeFirstOrThrow();
    // DELETE /exports: row and file gone, no signal (3.24 must not get a SIGHUP): still served from memory.
    await removeExportFile(h, name);
    await h.db.db.deleteFrom('nbd_exports').where('id', '=', row.id).execute();
    expect(await served(h)).toContain(name);

    const plan = await h.plan();
    expect(plan.gated.map((d) => d.kind)).toEqual(['live-export-mismatch']);
    expect(plan.gated[0]?.evidence[0]?.fact).toMatch(/^served but in no config file/);
    const removed = await h.applyUntilStable();
    expect(executedActions(removed)).toEqual(['live-export-mismatch restart-nbd-server → success']);
    expect(await served(h)).not.toContain(name);
    await expectRepairedAndIdle(h);

    // CreateExport again: file and row written, not served until the server re-reads its config.
    await writeExportFile(h, name, row.device_path);
    await insertNbdRow(h, { contextId: ctx.contextId, volumeId, exportName: name, devicePath: row.device_path });
    const again = await h.plan();
    expect(decisionsOf(again.gated, 'live-export-mismatch')).toEqual(['restart-nbd-server: run']);
    await h.applyUntilStable();
    expect(await served(h)).toContain(name);
    await expectRepairedAndIdle(h);
  });
});
