/**
 * Each of the real daemon's faults, ON (what the real daemon does) and OFF (what a fixed daemon
 * would do). Parsing of the fault switches is covered at the end.
 */
import { lstat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { parseFaultList, resolveFaults, VOLUME_DAEMON_FAULTS } from '../../src/volume-daemon-simulator/faults.js';
import { startDaemonEnv, type DaemonEnv } from './helpers/daemon-env.js';

let env: DaemonEnv;
beforeEach(async () => {
  env = await startDaemonEnv();
});
afterEach(async () => {
  await env.close();
});

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );
const byId = (volumeId: string) => join(env.dirs.byIdDir, `virtio-${volumeId.replace(/-/g, '').slice(0, 20)}`);
const confFile = (volumeId: string) => join(env.dirs.confDir, `migration-vol-${volumeId}.conf`);
const mappings = (volumeId: string) =>
  env.db.db.selectFrom('device_mappings').selectAll().where('volume_uuid', '=', volumeId).execute();
const exportRow = (volumeId: string) =>
  env.db.db.selectFrom('nbd_exports').select(['status']).where('volume_id', '=', volumeId).executeTakeFirst();

/** A stale mapping row for a volume that CloudStack says is detached (the state after a direct detach, §10 S3). */
async function staleMapping(volumeId: string): Promise<void> {
  await env.db.db
    .insertInto('device_mappings')
    .values({
      volume_uuid: volumeId,
      vm_id: env.omaVmId,
      operation_mode: 'oma',
      device_path: byId(volumeId),
      cloudstack_state: 'attached',
      linux_state: 'detected',
      size: 1,
    })
    .execute();
}

describe('duplicate-mapping', () => {
  it('ON: a stale row makes the attach fail with Error 1062 after CloudStack attached (incident 10)', async () => {
    const daemon = await env.startDaemon();
    const volumeId = await env.addVolume();
    await staleMapping(volumeId);
    const client = env.client(daemon);
    const done = await client.waitForOperation((await client.attachVolume(volumeId, env.omaVmId)).id);
    expect(done.status).toBe('failed');
    expect(done.error).toBe(
      `failed to create device mapping: Error 1062: Duplicate entry '${volumeId}' for key 'volume_id'`,
    );
    expect(env.cs.state.getVolume(volumeId)?.vmId).toBe(env.omaVmId);
    expect(await exportRow(volumeId)).toBeUndefined();
  });

  it('OFF: the stale row is replaced and the attach completes', async () => {
    const daemon = await env.startDaemon({ faults: { 'duplicate-mapping': false } });
    const volumeId = await env.addVolume();
    await staleMapping(volumeId);
    const client = env.client(daemon);
    const done = await client.waitForOperation((await client.attachVolume(volumeId, env.omaVmId)).id);
    expect(done.status).toBe('completed');
    const rows = await mappings(volumeId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.size).toBe(String(2 * 1024 ** 3));
    expect(await exportRow(volumeId)).toEqual({ status: 'active' });
  });
});

describe('detach-keeps-export', () => {
  async function attachedWithoutMapping(faultOn: boolean) {
    const daemon = await env.startDaemon({ faults: { 'detach-keeps-export': faultOn } });
    const client = env.client(daemon);
    const volumeId = await env.addVolume();
    expect((await client.waitForOperation((await client.attachVolume(volumeId, env.omaVmId)).id)).status).toBe(
      'completed',
    );
    await env.db.db.deleteFrom('device_mappings').where('volume_uuid', '=', volumeId).execute();
    const done = await client.waitForOperation((await client.detachVolume(volumeId)).id);
    expect(done.status).toBe('completed');
    expect(env.cs.state.getVolume(volumeId)?.vmId).toBeNull();
    return { volumeId, daemon };
  }

  it('ON: a detach without a mapping leaves the export file and row behind (incident 11)', async () => {
    const { volumeId, daemon } = await attachedWithoutMapping(true);
    expect(await exists(confFile(volumeId))).toBe(true);
    expect(await exportRow(volumeId)).toEqual({ status: 'active' });
    expect(daemon.stats.hups).toBe(1);
  });

  it('OFF: the export is removed with one SIGHUP', async () => {
    const { volumeId, daemon } = await attachedWithoutMapping(false);
    expect(await exists(confFile(volumeId))).toBe(false);
    expect(await exportRow(volumeId)).toBeUndefined();
    expect(daemon.stats.hups).toBe(2);
  });
});

describe('delete-skips-detach', () => {
  it('ON: a delete of an attached volume without a mapping skips the detach; CloudStack refuses (§10 S5)', async () => {
    const daemon = await env.startDaemon();
    const volumeId = await env.addVolume({ attachedTo: env.omaVmId });
    const client = env.client(daemon);
    const done = await client.waitForOperation((await client.deleteVolume(volumeId)).id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/failed to delete volume .* from CloudStack: .*431.*not attached to any VM/);
    expect(env.cs.state.getVolume(volumeId)?.vmId).toBe(env.omaVmId);
  });

  it('OFF: CloudStack is asked, the volume detached, then deleted', async () => {
    const daemon = await env.startDaemon({ faults: { 'delete-skips-detach': false } });
    const volumeId = await env.addVolume({ attachedTo: env.omaVmId });
    const client = env.client(daemon);
    const done = await client.waitForOperation((await client.deleteVolume(volumeId)).id);
    expect(done.status).toBe('completed');
    expect(env.cs.state.getVolume(volumeId)).toBeUndefined();
  });
});

describe('link-timeout', () => {
  it('ON: no by-id link within the wait → failed although CloudStack attached', async () => {
    const daemon = await env.startDaemon({ udev: false, linkTimeoutMs: 200 });
    const volumeId = await env.addVolume();
    const client = env.client(daemon);
    const done = await client.waitForOperation((await client.attachVolume(volumeId, env.omaVmId)).id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(
      new RegExp(`failed to resolve device path for volume ${volumeId}: .*virtio-\\w{20} did not appear within 200 ms`),
    );
    expect(env.cs.state.getVolume(volumeId)?.vmId).toBe(env.omaVmId);
    expect(await mappings(volumeId)).toEqual([]);
  });

  it('OFF: the attach is rolled back in CloudStack before the operation fails', async () => {
    const daemon = await env.startDaemon({ udev: false, linkTimeoutMs: 200, faults: { 'link-timeout': false } });
    const volumeId = await env.addVolume();
    const client = env.client(daemon);
    const done = await client.waitForOperation((await client.attachVolume(volumeId, env.omaVmId)).id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/rolled back in CloudStack/);
    expect(env.cs.state.getVolume(volumeId)?.vmId).toBeNull();
  });
});

describe('hup-per-change', () => {
  it('ON: one SIGHUP per export added and per export removed, to the pid file’s live process', async () => {
    const daemon = await env.startDaemon();
    const client = env.client(daemon);
    const a = await env.addVolume();
    const b = await env.addVolume();
    for (const id of [a, b]) await client.waitForOperation((await client.attachVolume(id, env.omaVmId)).id);
    await client.waitForOperation((await client.detachVolume(a)).id);
    await env.hup.settle();
    expect(env.hup.received()).toBe(3);
    expect(daemon.stats.hups).toBe(3);
  });

  it('OFF: no signal at all', async () => {
    const daemon = await env.startDaemon({ faults: { 'hup-per-change': false } });
    const client = env.client(daemon);
    const a = await env.addVolume();
    await client.waitForOperation((await client.attachVolume(a, env.omaVmId)).id);
    await client.waitForOperation((await client.detachVolume(a)).id);
    await env.hup.settle();
    expect(env.hup.received()).toBe(0);
    expect(daemon.stats.hups).toBe(0);
  });

  it('never signals when the pid file names no live process; the export is still written', async () => {
    await env.hup.stop();
    const daemon = await env.startDaemon();
    const client = env.client(daemon);
    const a = await env.addVolume();
    expect((await client.waitForOperation((await client.attachVolume(a, env.omaVmId)).id)).status).toBe('completed');
    expect(daemon.stats.hups).toBe(0);
    expect(await exportRow(a)).toEqual({ status: 'active' });
    await writeFile(env.dirs.pidFile, 'garbage\n');
    await client.waitForOperation((await client.detachVolume(a)).id);
    expect(daemon.stats.hups).toBe(0);
  });
});

describe('crash and no-resume', () => {
  it('a crash after the CloudStack call leaves the row executing, CloudStack attached and no bookkeeping; a restart (no-resume ON) does not resume it', async () => {
    const daemon = await env.startDaemon();
    daemon.armCrash('after-cloudstack');
    const volumeId = await env.addVolume();
    const op = await env.client(daemon).attachVolume(volumeId, env.omaVmId);
    await daemon.crashed;
    await expect(fetch(`${daemon.url}/health`)).rejects.toThrow();
    expect(env.cs.state.getVolume(volumeId)?.vmId).toBe(env.omaVmId);
    expect(await mappings(volumeId)).toEqual([]);

    const restarted = await env.startDaemon();
    const client = env.client(restarted);
    expect(await client.getOperation(op.id)).toMatchObject({ status: 'executing' });
    expect(await client.listOperations({ status: 'executing' })).toHaveLength(1);
    expect(restarted.stats.interrupted).toBe(0);
    // The restarted daemon works, and still leaves the old row alone.
    const other = await env.addVolume();
    expect((await client.waitForOperation((await client.attachVolume(other, env.omaVmId)).id)).status).toBe(
      'completed',
    );
    expect(await client.getOperation(op.id)).toMatchObject({ status: 'executing' });
  });

  it('a crash before executing leaves the row pending; crash() stops serving at once', async () => {
    const daemon = await env.startDaemon();
    daemon.armCrash('before-executing');
    const volumeId = await env.addVolume();
    const op = await env.client(daemon).detachVolume(volumeId);
    await daemon.crashed;
    const row = await env.db.db
      .selectFrom('volume_operations')
      .select('status')
      .where('id', '=', op.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');

    const second = await env.startDaemon();
    await second.crash();
    await expect(fetch(`${second.url}/health`)).rejects.toThrow();
  });

  it('no-resume OFF: a restart marks the operations a crash left behind failed, naming why', async () => {
    const daemon = await env.startDaemon();
    daemon.armCrash('after-cloudstack');
    const volumeId = await env.addVolume();
    const op = await env.client(daemon).attachVolume(volumeId, env.omaVmId);
    await daemon.crashed;
    const restarted = await env.startDaemon({ faults: { 'no-resume': false } });
    expect(restarted.stats.interrupted).toBe(1);
    const after = await env.client(restarted).getOperation(op.id);
    expect(after).toMatchObject({ status: 'failed' });
    expect(after.error).toMatch(/interrupted: the Volume Daemon restarted/);
  });
});

describe('fault switches', () => {
  it('are all on by default and parse all/none/lists/-lists, naming an unknown fault and where it came from', () => {
    expect(Object.values(resolveFaults()).every(Boolean)).toBe(true);
    expect(Object.values(parseFaultList(undefined)).every(Boolean)).toBe(true);
    expect(Object.values(parseFaultList('none')).some(Boolean)).toBe(false);
    expect(parseFaultList('link-timeout,no-resume')).toEqual({
      ...resolveFaults('none'),
      'link-timeout': true,
      'no-resume': true,
    });
    expect(parseFaultList('-hup-per-change')).toEqual({ ...resolveFaults('all'), 'hup-per-change': false });
    expect(() => parseFaultList('dupe')).toThrow(InvalidInputError);
    expect(() => parseFaultList('dupe')).toThrow(
      /VOLUME_DAEMON_SIM_FAULTS: unknown fault "dupe" \(known: all, none, duplicate-mapping/,
    );
    expect(() => parseFaultList('a,-b', '--faults')).toThrow(/--faults: .* mixes names and -names/);
    expect(() => resolveFaults({ bogus: true } as never)).toThrow(/unknown Volume Daemon simulator fault "bogus"/);
    expect(VOLUME_DAEMON_FAULTS).toHaveLength(6);
  });
});
