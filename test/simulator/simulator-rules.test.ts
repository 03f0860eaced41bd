import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudStackClient } from '../../src/cloudstack/cloudstack-client.js';
import { CloudStackJobFailedError } from '../../src/cloudstack/errors.js';
import { kvmDiskSerial, virtioByIdMap, virtioByIdName } from '../../src/simulator/kvm-serial.js';
import { startSimulator, type Simulator } from '../../src/simulator/start-simulator.js';

let sim: Simulator;
let client: CloudStackClient;

beforeAll(async () => {
  sim = await startSimulator({ config: { asyncJobDurationMs: 1 } });
  client = new CloudStackClient({
    apiUrl: sim.url,
    apiKey: sim.apiKey,
    secretKey: sim.secretKey,
    poll: { initialMs: 2, factor: 1.5, maxMs: 20 },
    retry: { minDelayMs: 1, maxDelayMs: 5 },
  });
});
afterAll(async () => {
  await sim.close();
});

/** The job failure a call ends with. */
async function failure(p: Promise<unknown>): Promise<CloudStackJobFailedError> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CloudStackJobFailedError);
  return e as CloudStackJobFailedError;
}

describe('device ids', () => {
  it('allocates the lowest free device id from 1 upward and skips 3 (the CD-ROM)', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'devices' });
    const ids: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const volume = sim.state.addVolume({ name: `dev-${i}` });
      ids.push((await client.attachVolume({ id: volume.id, virtualMachineId: vm.id })).deviceId);
    }
    expect(ids).toEqual([1, 2, 4, 5]);
  });

  it('reuses a freed low device id before higher ones', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'reuse' });
    const [a] = [1, 2, 3].map((i) => sim.state.addVolume({ name: `reuse-${i}`, virtualMachineId: vm.id }));
    expect(sim.state.attachedVolumeIds(vm.id)).toHaveLength(4);
    await client.detachVolume({ id: a?.id ?? '' });
    const next = sim.state.addVolume({ name: 'reuse-next' });
    expect((await client.attachVolume({ id: next.id, virtualMachineId: vm.id })).deviceId).toBe(1);
    const after = sim.state.addVolume({ name: 'reuse-after' });
    expect((await client.attachVolume({ id: after.id, virtualMachineId: vm.id })).deviceId).toBe(5);
  });

  it('refuses an explicit device id of 3, one out of range, or one in use', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'explicit' });
    const used = sim.state.addVolume({ name: 'used', virtualMachineId: vm.id, deviceId: 2 });
    expect(used.deviceId).toBe(2);
    const volume = sim.state.addVolume({ name: 'explicit-data' });
    expect(
      (await failure(client.attachVolume({ id: volume.id, virtualMachineId: vm.id, deviceId: 3 }))).errortext,
    ).toBe('deviceId should be 1,2,4-27');
    expect(
      (await failure(client.attachVolume({ id: volume.id, virtualMachineId: vm.id, deviceId: 99 }))).errortext,
    ).toBe('deviceId should be 1,2,4-27');
    expect(
      (await failure(client.attachVolume({ id: volume.id, virtualMachineId: vm.id, deviceId: 2 }))).errortext,
    ).toBe(`deviceId 2 is used by vm ${vm.internalId}`);
    expect((await client.attachVolume({ id: volume.id, virtualMachineId: vm.id, deviceId: 4 })).deviceId).toBe(4);
  });

  it('refuses a data disk beyond the hypervisor maximum', async () => {
    sim.config.maxDataDisks = 2;
    try {
      const vm = sim.state.addVirtualMachine({ name: 'full' });
      sim.state.addVolume({ name: 'full-1', virtualMachineId: vm.id });
      sim.state.addVolume({ name: 'full-2', virtualMachineId: vm.id });
      const extra = sim.state.addVolume({ name: 'full-3' });
      const e = await failure(client.attachVolume({ id: extra.id, virtualMachineId: vm.id }));
      expect(e.errortext).toContain('already has the maximum number of data disks (2)');
    } finally {
      sim.config.maxDataDisks = 26;
    }
  });
});

describe('snapshots', () => {
  it('goes Creating → BackingUp → BackedUp; the volume is Snapshotting until the job ends', async () => {
    sim.config.snapshotBackupDelayMs = 3_600_000;
    try {
      const volume = sim.state.addVolume({ name: 'snap-life' });
      sim.faults.set('createSnapshot', { jobHang: true, times: 1 });
      const accepted = await client.call('createSnapshot', {
        volumeid: volume.id,
        name: 'multi-test-failover-disk-2000-1',
      });
      const [snapshotId, jobId] = [String(accepted.id), String(accepted.jobid)];
      expect((await client.listSnapshots({ id: snapshotId })).items[0]?.state).toBe('Creating');
      expect((await client.listVolumes({ id: volume.id })).items[0]?.state).toBe('Snapshotting');
      expect(sim.jobs.completeNow(jobId)).toBe(true);
      const job = await client.queryAsyncJobResult(jobId);
      expect(job.status).toBe(1);
      expect((job.result?.snapshot as { state: string }).state).toBe('BackingUp');
      expect((await client.listVolumes({ id: volume.id })).items[0]?.state).toBe('Ready');
      expect(sim.jobs.runFollowUpsNow()).toBeGreaterThan(0);
      expect((await client.listSnapshots({ id: snapshotId })).items[0]).toMatchObject({
        state: 'BackedUp',
        revertable: true,
      });
    } finally {
      sim.config.snapshotBackupDelayMs = 0;
    }
  });

  it('fails the job with "Volume is not in ready state" and leaves an Error snapshot (shown) when the volume is busy', async () => {
    const volume = sim.state.addVolume({ name: 'busy', state: 'Allocated' });
    expect((await failure(client.createSnapshot({ volumeId: volume.id }))).errortext).toBe(
      'Volume is not in ready state',
    );
    const listed = await client.listSnapshots({ volumeId: volume.id });
    expect(listed.items.map((s) => s.state)).toEqual(['Error']);
  });

  it('refuses deleteVolume while a snapshot of it is in progress', async () => {
    const volume = sim.state.addVolume({ name: 'in-progress' });
    sim.faults.set('createSnapshot', { jobHang: true, times: 1 });
    await client.call('createSnapshot', { volumeid: volume.id });
    await expect(client.deleteVolume(volume.id)).rejects.toThrow(
      'There are snapshot operations in progress on the volume, unable to delete it',
    );
  });

  it('hides Destroyed snapshots, refuses deleting one twice, and lists newest first', async () => {
    const volume = sim.state.addVolume({ name: 'history' });
    const older = sim.state.addSnapshot({ volumeId: volume.id, name: 'older', created: '2024-01-01T00:00:00Z' });
    sim.state.addSnapshot({ volumeId: volume.id, name: 'newer', created: '2024-02-01T00:00:00Z' });
    expect((await client.listSnapshots({ volumeId: volume.id })).items.map((s) => s.name)).toEqual(['newer', 'older']);
    await client.deleteSnapshot(older.id);
    expect((await client.listSnapshots({ volumeId: volume.id })).items.map((s) => s.name)).toEqual(['newer']);
    expect((await failure(client.deleteSnapshot(older.id))).errortext).toBe(
      `Snapshot with id: ${older.internalId} is already destroyed`,
    );
  });

  it('restores the volume size from the snapshot on revert', async () => {
    const volume = sim.state.addVolume({ name: 'grown', sizeBytes: 10 * 1024 ** 3 });
    const snap = sim.state.addSnapshot({ volumeId: volume.id });
    sim.state.getVolume(volume.id);
    (sim.state.volumes.get(volume.id) as { sizeBytes: number }).sizeBytes = 20 * 1024 ** 3;
    await client.revertSnapshot(snap.id);
    expect((await client.listVolumes({ id: volume.id })).items[0]?.sizeBytes).toBe(10 * 1024 ** 3);
  });
});

describe('virtual machines', () => {
  it('stops and starts, and refuses starting a running VM', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'cycle' });
    expect((await client.stopVirtualMachine(vm.id, { forced: true })).state).toBe('Stopped');
    expect((await client.stopVirtualMachine(vm.id)).state).toBe('Stopped');
    expect((await client.startVirtualMachine(vm.id)).state).toBe('Running');
    expect((await failure(client.startVirtualMachine(vm.id))).errortext).toContain('is already running');
  });

  it('on expunge destroys the ROOT volume and detaches data disks, which stay Ready and listed', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'test-vm-test-1700000000' });
    const data = sim.state.addVolume({ name: 'migration-x-x-disk-0', virtualMachineId: vm.id });
    const rootId = [...(sim.state.devices.get(vm.id)?.values() ?? [])].find(
      (id) => sim.state.getVolume(id)?.type === 'ROOT',
    );
    await client.destroyVirtualMachine(vm.id, { expunge: true });
    expect((await client.listVirtualMachines({ id: vm.id })).items).toEqual([]);
    expect((await client.listVolumes({ id: rootId ?? '' })).items).toEqual([]);
    expect((await client.listVolumes({ id: data.id })).items[0]).toMatchObject({
      state: 'Ready',
      virtualMachineId: null,
      deviceId: null,
    });
  });

  it('without expunge shows the VM Destroyed with its ROOT in Destroy, and expunges it when expunge.delay passes', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'later' });
    const data = sim.state.addVolume({ name: 'later-data', virtualMachineId: vm.id });
    await client.destroyVirtualMachine(vm.id);
    expect((await client.listVirtualMachines({ id: vm.id })).items[0]?.state).toBe('Destroyed');
    expect((await client.listVolumes({ virtualMachineId: vm.id, type: 'ROOT' })).items[0]?.state).toBe('Destroy');
    expect((await client.listVolumes({ id: data.id })).items[0]?.virtualMachineId).toBe(vm.id);
    sim.jobs.runFollowUpsNow();
    expect((await client.listVirtualMachines({ id: vm.id })).items).toEqual([]);
    expect((await client.listVolumes({ id: data.id })).items[0]?.virtualMachineId).toBeNull();
  });
});

describe('tags', () => {
  it('creates tags on several resources, lists them, refuses a duplicate key, and deletes by key', async () => {
    const a = sim.state.addVolume({ name: 'tag-1' });
    const b = sim.state.addVolume({ name: 'tag-2' });
    await client.createTags({ resourceType: 'volume', resourceIds: [a.id, b.id], tags: { owner: 'oma' } });
    expect(
      (await client.listTags({ key: 'owner', resourceType: 'Volume' })).items.map((t) => t.resourceId).sort(),
    ).toEqual([a.id, b.id].sort());
    expect(
      (await failure(client.createTags({ resourceType: 'Volume', resourceIds: [a.id], tags: { OWNER: 'x' } })))
        .errortext,
    ).toContain('already exists');
    await client.deleteTags({ resourceType: 'Volume', resourceIds: [a.id], tags: { owner: null } });
    expect((await client.listVolumes({ id: a.id })).items[0]?.tags).toEqual({});
    expect(
      (await failure(client.deleteTags({ resourceType: 'Volume', resourceIds: [a.id], tags: { owner: null } })))
        .errortext,
    ).toBe('Unable to find tags by parameters specified');
  });

  it('refuses an unknown resource type and an empty value inside the job', async () => {
    const a = sim.state.addVolume({ name: 'tag-3' });
    expect(
      (await failure(client.createTags({ resourceType: 'Disk', resourceIds: [a.id], tags: { k: 'v' } }))).errortext,
    ).toBe('Invalid resource type Disk');
    expect(
      (await failure(client.createTags({ resourceType: 'Volume', resourceIds: [a.id], tags: { k: '' } }))).errortext,
    ).toBe('Value for the key k is either null or empty');
  });
});

describe('the KVM disk serial rule', () => {
  it('keeps the first 20 hex characters of the volume id without hyphens', () => {
    expect(kvmDiskSerial('0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b')).toBe('0b5f3d1c6f8a4a439a53');
    expect(virtioByIdName('b3bb9310-1b59-4f62-97e8-cefffdfe3804')).toBe('virtio-b3bb93101b594f6297e8');
  });

  it('gives the by-id names a VM would see for its attached volumes', () => {
    const vm = sim.state.addVirtualMachine({ name: 'by-id', rootVolumeId: '0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b' });
    const data = sim.state.addVolume({ name: 'by-id-data', virtualMachineId: vm.id });
    const map = virtioByIdMap(sim.state.attachedVolumeIds(vm.id));
    expect(map.get('virtio-0b5f3d1c6f8a4a439a53')).toBe('0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b');
    expect(map.get(`virtio-${kvmDiskSerial(data.id)}`)).toBe(data.id);
  });
});
