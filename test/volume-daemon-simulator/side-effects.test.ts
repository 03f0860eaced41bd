/**
 * The simulator does what the real Volume Daemon does (oma-system.md §2.4, §3.2–§3.5), in its
 * order, on MariaDB, the CloudStack simulator, conf.d and by-id: attach/detach/delete/create on the
 * OMA VM and on another VM.
 */
import { lstat, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VolumeDaemonClient } from '../../src/volume-daemon/volume-daemon-client.js';
import type { VolumeDaemonSimulator } from '../../src/volume-daemon-simulator/start-volume-daemon-simulator.js';
import { GiB, startDaemonEnv, type DaemonEnv } from './helpers/daemon-env.js';

let env: DaemonEnv;
let daemon: VolumeDaemonSimulator;
let client: VolumeDaemonClient;

beforeEach(async () => {
  env = await startDaemonEnv();
  daemon = await env.startDaemon();
  client = env.client(daemon);
});
afterEach(async () => {
  await env.close();
});

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );
const mapping = (volumeId: string) =>
  env.db.db.selectFrom('device_mappings').selectAll().where('volume_uuid', '=', volumeId).executeTakeFirst();
const osseaVolume = (volumeId: string) =>
  env.db.db
    .selectFrom('ossea_volumes')
    .select(['device_path', 'status'])
    .where('volume_id', '=', volumeId)
    .executeTakeFirstOrThrow();
const exportRow = (volumeId: string) =>
  env.db.db.selectFrom('nbd_exports').selectAll().where('volume_id', '=', volumeId).executeTakeFirst();
const byId = (volumeId: string) => join(env.dirs.byIdDir, `virtio-${volumeId.replace(/-/g, '').slice(0, 20)}`);
const confFile = (volumeId: string) => join(env.dirs.confDir, `migration-vol-${volumeId}.conf`);

async function run(start: Promise<{ id: string; status: string }>) {
  const op = await start;
  expect(op.status).toBe('pending');
  return client.waitForOperation(op.id);
}

describe('attach to the OMA VM', () => {
  it('attaches in CloudStack, plays udev, writes the mapping, ossea_volumes and the export in order, one SIGHUP', async () => {
    const volumeId = await env.addVolume({ sizeBytes: 3 * GiB });
    const pending = await client.attachVolume(volumeId, env.omaVmId);
    expect(pending).toMatchObject({
      type: 'attach',
      status: 'pending',
      volume_id: volumeId,
      vm_id: env.omaVmId,
      request: { volume_id: volumeId, vm_id: env.omaVmId },
    });
    const done = await client.waitForOperation(pending.id, { omaVmId: env.omaVmId });
    const path = byId(volumeId);
    expect(done).toMatchObject({
      status: 'completed',
      response: { volume_id: volumeId, vm_id: env.omaVmId, device_path: path },
    });
    expect(done.completed_at).toBeTruthy();

    expect(env.cs.state.getVolume(volumeId)?.vmId).toBe(env.omaVmId);
    expect((await stat(path)).size).toBe(3 * GiB);
    expect(await readlink(path)).toBe(join(env.dirs.devicesDir, `${volumeId}.img`));
    expect(await mapping(volumeId)).toMatchObject({
      vm_id: env.omaVmId,
      operation_mode: 'oma',
      device_path: path,
      size: String(3 * GiB),
      vm_context_id: env.contextId,
      cloudstack_state: 'attached',
      linux_state: 'detected',
      requires_device_correlation: 1,
      cloudstack_device_id: null,
    });
    expect(await osseaVolume(volumeId)).toEqual({ device_path: path, status: 'attached' });
    expect(await exportRow(volumeId)).toMatchObject({
      export_name: `migration-vol-${volumeId}`,
      status: 'active',
      device_path: path,
      config_path: confFile(volumeId),
      port: '10809',
      vm_context_id: env.contextId,
      job_id: null,
    });
    expect(await readFile(confFile(volumeId), 'utf8')).toBe(
      `[migration-vol-${volumeId}]\nexportname = ${path}\nreadonly = false\nmultifile = false\ncopyonwrite = false\n`,
    );
    await env.hup.settle();
    expect(env.hup.received()).toBe(1);
    expect(daemon.stats.hups).toBe(1);

    expect(await client.listVmVolumes(env.omaVmId)).toEqual([
      {
        volume_id: volumeId,
        vm_id: env.omaVmId,
        device_path: path,
        state: 'attached',
        size: 3 * GiB,
        cloudstack_data: null,
      },
    ]);
    expect(await client.getVolumeDevice(volumeId)).toMatchObject({
      id: '',
      vm_context_id: null,
      volume_uuid: volumeId,
      operation_mode: 'oma',
      device_path: path,
      requires_device_correlation: true,
      size: 3 * GiB,
    });
    expect(daemon.stats.operations.attach).toEqual({ started: 1, completed: 1, failed: 0 });
  });

  it('fails, changing nothing, when CloudStack refuses (volume attached elsewhere), naming CloudStack’s text', async () => {
    const volumeId = await env.addVolume({ attachedTo: env.testVmId });
    const done = await run(client.attachVolume(volumeId, env.omaVmId));
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/CloudStack.*not attached to any VM/);
    expect(env.cs.state.getVolume(volumeId)?.vmId).toBe(env.testVmId);
    expect(await mapping(volumeId)).toBeUndefined();
    expect(await exists(byId(volumeId))).toBe(false);
  });
});

describe('export bookkeeping traps (§3.6)', () => {
  it('a conf.d file without a row: the attach completes, the export fails "already exists" and its row is deleted, the file stays', async () => {
    const volumeId = await env.addVolume();
    await writeFile(
      confFile(volumeId),
      `[migration-vol-${volumeId}]\nexportname = /dev/old\nreadonly = false\nmultifile = false\ncopyonwrite = false\n`,
    );
    const done = await run(client.attachVolume(volumeId, env.omaVmId));
    expect(done.status).toBe('completed');
    expect(await mapping(volumeId)).toBeDefined();
    expect(await exportRow(volumeId)).toBeUndefined();
    // ensureNBDExportDevicePathCorrect rewrote the stale path first (one SIGHUP), then AddExport refused.
    expect(await readFile(confFile(volumeId), 'utf8')).toContain(`exportname = ${byId(volumeId)}`);
    expect(daemon.stats.hups).toBe(1);
  });

  it('a row without a file: the export insert fails on the unique name and no file is written; the attach completes', async () => {
    const volumeId = await env.addVolume();
    await env.db.db
      .insertInto('nbd_exports')
      .values({
        volume_id: 'someone-else',
        export_name: `migration-vol-${volumeId}`,
        port: 10809,
        device_path: '/dev/old',
        config_path: confFile(volumeId),
        status: 'active',
      })
      .execute();
    const done = await run(client.attachVolume(volumeId, env.omaVmId));
    expect(done.status).toBe('completed');
    expect(await exists(confFile(volumeId))).toBe(false);
    expect(daemon.stats.hups).toBe(0);
  });
});

describe('wire details', () => {
  it('an empty operation listing is null, an unknown route is gin’s plain 404, a missing attach body is 400 {"error"}', async () => {
    const list = await fetch(`${daemon.url}/api/v1/operations?volume_id=nothing`);
    expect(await list.text()).toBe('null');
    const unknown = await fetch(`${daemon.url}/api/v1/nothing`);
    expect([unknown.status, await unknown.text()]).toEqual([404, '404 page not found']);
    const noBody = await fetch(`${daemon.url}/api/v1/volumes/x/attach`, { method: 'POST' });
    expect(noBody.status).toBe(400);
    expect(await noBody.json()).toEqual({ error: 'invalid request body: EOF' });
  });
});

describe('attach to another VM', () => {
  it('writes the remote-vm placeholder mapping (failover, size 0) and ossea_volumes, no link, no export', async () => {
    const volumeId = await env.addVolume();
    const done = await run(client.attachVolume(volumeId, env.testVmId));
    const placeholder = `remote-vm-${env.testVmId}`;
    expect(done).toMatchObject({
      status: 'completed',
      response: { volume_id: volumeId, vm_id: env.testVmId, device_path: placeholder },
    });
    expect(env.cs.state.getVolume(volumeId)?.vmId).toBe(env.testVmId);
    expect(await mapping(volumeId)).toMatchObject({
      vm_id: env.testVmId,
      operation_mode: 'failover',
      device_path: placeholder,
      size: '0',
      linux_state: 'n/a',
      requires_device_correlation: 0,
    });
    expect(await osseaVolume(volumeId)).toEqual({ device_path: placeholder, status: 'attached' });
    expect(await exportRow(volumeId)).toBeUndefined();
    expect(await exists(byId(volumeId))).toBe(false);
    expect(daemon.stats.hups).toBe(0);
  });

  it('fails the second data disk of the same VM on the globally unique placeholder path, though CloudStack attached it (incident 9)', async () => {
    const first = await env.addVolume();
    const second = await env.addVolume();
    expect((await run(client.attachVolume(first, env.testVmId))).status).toBe('completed');
    const done = await run(client.attachVolume(second, env.testVmId));
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/Error 1062: Duplicate entry 'remote-vm-.*' for key 'unique_device_path'/);
    expect(env.cs.state.getVolume(second)?.vmId).toBe(env.testVmId);
  });

  it('attach-root uses device 0 and the remote-vm-root placeholder', async () => {
    const vm = env.cs.state.addVirtualMachine({ name: 'pgtest1-stopped', state: 'Stopped', withRootVolume: false });
    const rootVolume = await env.addVolume({ type: 'ROOT' });
    const pending = await client.attachVolumeAsRoot(rootVolume, vm.id);
    expect(pending.request).toEqual({ volume_id: rootVolume, vm_id: vm.id, device_id: 0, attach_as: 'root' });
    const done = await client.waitForOperation(pending.id);
    expect(done).toMatchObject({
      status: 'completed',
      response: { device_path: `remote-vm-root-${vm.id}`, device_id: 0 },
    });
    expect(env.cs.state.getVolume(rootVolume)).toMatchObject({ vmId: vm.id, deviceId: 0 });
    expect(await mapping(rootVolume)).toMatchObject({
      cloudstack_device_id: 0,
      device_path: `remote-vm-root-${vm.id}`,
      operation_mode: 'failover',
    });
  });
});

describe('detach and delete', () => {
  it('detach from the OMA removes the export (file + SIGHUP, then row), the link, the mapping, and clears ossea_volumes', async () => {
    const volumeId = await env.addVolume();
    await run(client.attachVolume(volumeId, env.omaVmId));
    const done = await run(client.detachVolume(volumeId));
    expect(done).toMatchObject({
      type: 'detach',
      status: 'completed',
      response: { volume_id: volumeId, device_path: byId(volumeId) },
    });
    expect(env.cs.state.getVolume(volumeId)?.vmId).toBeNull();
    expect(await exists(byId(volumeId))).toBe(false);
    expect(await exists(confFile(volumeId))).toBe(false);
    expect(await exportRow(volumeId)).toBeUndefined();
    expect(await mapping(volumeId)).toBeUndefined();
    expect(await osseaVolume(volumeId)).toEqual({ device_path: null, status: 'detached' });
    await env.hup.settle();
    expect(env.hup.received()).toBe(2);
    expect(await client.listVmVolumes(env.omaVmId)).toEqual([]);
  });

  it('detach from another VM leaves exports alone', async () => {
    const volumeId = await env.addVolume();
    await run(client.attachVolume(volumeId, env.testVmId));
    expect((await run(client.detachVolume(volumeId))).status).toBe('completed');
    expect(await mapping(volumeId)).toBeUndefined();
    expect(await osseaVolume(volumeId)).toEqual({ device_path: null, status: 'detached' });
    expect(daemon.stats.hups).toBe(0);
  });

  it('delete of an OMA-attached volume with a mapping detaches first, deletes in CloudStack, keeps the ossea_volumes row; DELETE answers 201', async () => {
    const volumeId = await env.addVolume();
    await run(client.attachVolume(volumeId, env.omaVmId));
    const res = await fetch(`${daemon.url}/api/v1/volumes/${volumeId}`, { method: 'DELETE' });
    expect(res.status).toBe(201);
    const op = (await res.json()) as { id: string };
    const done = await client.waitForOperation(op.id);
    expect(done).toMatchObject({ type: 'delete', status: 'completed', response: { volume_id: volumeId } });
    expect(env.cs.state.getVolume(volumeId)).toBeUndefined();
    expect(await mapping(volumeId)).toBeUndefined();
    expect(await exportRow(volumeId)).toBeUndefined();
    expect(await exists(confFile(volumeId))).toBe(false);
    expect(await osseaVolume(volumeId)).toEqual({ device_path: null, status: 'detached' });
  });
});

describe('create', () => {
  it('creates a volume of size bytes rounded down to GiB (min 1) with the config’s zone and offering; volume_id stays empty', async () => {
    const done = await run(client.createVolume({ name: 'migration-pgtest1-pgtest1-disk-9', size: 3.5 * GiB }));
    expect(done).toMatchObject({ type: 'create', status: 'completed', volume_id: '' });
    const newId = String(done.response?.volume_id);
    expect(env.cs.state.getVolume(newId)).toMatchObject({
      name: 'migration-pgtest1-pgtest1-disk-9',
      sizeBytes: 3 * GiB,
      zoneId: env.cs.state.defaults.zoneId,
    });
    const tiny = await run(client.createVolume({ name: 'tiny', size: 1024 }));
    expect(env.cs.state.getVolume(String(tiny.response?.volume_id))?.sizeBytes).toBe(GiB);
    const row = await env.db.db
      .selectFrom('volume_operations')
      .select(['volume_id', 'status'])
      .where('id', '=', done.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ volume_id: '', status: 'completed' });
  });

  it('reads CloudStack from the active ossea_configs row for every operation', async () => {
    await env.db.db.updateTable('ossea_configs').set({ secret_key: 'wrong' }).execute();
    const failed = await run(client.createVolume({ name: 'x', size: GiB }));
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/failed to create volume in CloudStack: .*401/);
    await env.db.db.updateTable('ossea_configs').set({ secret_key: env.cs.secretKey }).execute();
    expect((await run(client.createVolume({ name: 'y', size: GiB }))).status).toBe('completed');
  });

  it('CLOUDSTACK_* / OMA_VM_ID overrides win over the row, field by field, as in the reconciler', async () => {
    await env.db.db.updateTable('ossea_configs').set({ secret_key: 'wrong', oma_vm_id: env.testVmId }).execute();
    const overridden = await env.startDaemon({ cloudstack: { secretKey: env.cs.secretKey, omaVmId: env.omaVmId } });
    const c = env.client(overridden);
    const volumeId = await env.addVolume();
    const done = await c.waitForOperation((await c.attachVolume(volumeId, env.omaVmId)).id);
    expect(done).toMatchObject({ status: 'completed', response: { device_path: byId(volumeId) } });
    expect(await mapping(volumeId)).toMatchObject({ operation_mode: 'oma' });
  });
});
