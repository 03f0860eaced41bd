import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudStackClient } from '../../src/cloudstack/cloudstack-client.js';
import { recordingCloudStackMetrics } from '../../src/cloudstack/cloudstack-metrics.js';
import { CloudStackHttpError, CloudStackJobFailedError } from '../../src/cloudstack/errors.js';
import { startSimulator, type Simulator } from '../../src/simulator/start-simulator.js';

let sim: Simulator;
let client: CloudStackClient;
const metrics = recordingCloudStackMetrics();

beforeAll(async () => {
  sim = await startSimulator({ config: { asyncJobDurationMs: 1 } });
  client = new CloudStackClient({
    apiUrl: sim.url,
    apiKey: sim.apiKey,
    secretKey: sim.secretKey,
    poll: { initialMs: 2, factor: 1.5, maxMs: 20 },
    retry: { minDelayMs: 1, maxDelayMs: 5 },
    metrics,
  });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.stats.reset();
  metrics.reset();
});

/** The rejection of a call, asserted to be of `type`. */
async function rejection<T>(p: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(type);
  return e as T;
}

describe('paged listings', () => {
  it('reads all 1,200 volumes in three pages of 500 and reports the listing complete', async () => {
    const seeded = sim.state.seed({
      volumes: Array.from({ length: 1200 }, (_, i) => ({ name: `migration-vm${i}-vm${i}-disk-0`, account: 'fleet' })),
    });
    expect(seeded.volumes).toBe(1200);
    const listed = await client.listVolumes({ keyword: 'migration-vm' });
    expect(listed.complete).toBe(true);
    expect(listed.count).toBe(1200);
    expect(new Set(listed.items.map((v) => v.id)).size).toBe(1200);
    expect(sim.stats.requests('listVolumes')).toBe(3);
    expect(metrics.count('listVolumes', 'success')).toBe(3);
  });

  it('reads exactly 500 in one page, and an empty result ({}) as complete with count 0', async () => {
    sim.state.seed({ volumes: Array.from({ length: 500 }, (_, i) => ({ name: `exact-${i}`, account: 'exact' })) });
    const exact = await client.listVolumes({ keyword: 'exact-' });
    expect([exact.complete, exact.count, exact.items.length, sim.stats.requests('listVolumes')]).toEqual([
      true,
      500,
      500,
      1,
    ]);
    const none = await client.listVolumes({ name: 'nothing-has-this-name' });
    expect(none).toEqual({ items: [], complete: true, count: 0 });
  });

  it('lists VMs, snapshots and tags completely too', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'lister', displayName: 'Lister VM' });
    const volume = sim.state.addVolume({ name: 'lister-data', virtualMachineId: vm.id });
    const snap = sim.state.addSnapshot({ volumeId: volume.id, name: 'multi-test-failover-disk-2000-1700000000' });
    sim.state.addTag({ resourceType: 'UserVm', resourceId: vm.id, key: 'role', value: 'oma' });
    const vms = await client.listVirtualMachines({ id: vm.id });
    expect(vms).toMatchObject({
      complete: true,
      count: 1,
      items: [{ id: vm.id, name: 'lister', displayName: 'Lister VM', state: 'Running' }],
    });
    expect(vms.items[0]?.created).toMatch(/Z$/);
    const snaps = await client.listSnapshots({ volumeId: volume.id });
    expect(snaps).toMatchObject({
      complete: true,
      items: [{ id: snap.id, volumeId: volume.id, state: 'BackedUp', revertable: true }],
    });
    const tags = await client.listTags({ resourceId: vm.id });
    expect(tags).toMatchObject({
      complete: true,
      items: [{ key: 'role', value: 'oma', resourceType: 'UserVm', resourceId: vm.id }],
    });
  });
});

describe('every command', () => {
  it('attaches, detaches (by id and by VM + device), snapshots, reverts and deletes', async () => {
    const oma = sim.state.addVirtualMachine({ name: 'oma' });
    const volume = sim.state.addVolume({ name: 'migration-a-a-disk-0' });
    const attached = await client.attachVolume({ id: volume.id, virtualMachineId: oma.id });
    expect(attached).toMatchObject({
      id: volume.id,
      virtualMachineId: oma.id,
      vmName: 'oma',
      vmState: 'Running',
      deviceId: 1,
      state: 'Ready',
    });
    const detached = await client.detachVolume({ virtualMachineId: oma.id, deviceId: 1 });
    expect(detached).toMatchObject({ id: volume.id, virtualMachineId: null, deviceId: null });
    await client.attachVolume({ id: volume.id, virtualMachineId: oma.id });
    expect((await client.detachVolume({ id: volume.id })).virtualMachineId).toBeNull();
    const snap = await client.createSnapshot({ volumeId: volume.id, name: 'multi-test-failover-disk-2000-1' });
    expect(snap).toMatchObject({ volumeId: volume.id, name: 'multi-test-failover-disk-2000-1', state: 'BackedUp' });
    expect((await client.revertSnapshot(snap.id)).id).toBe(snap.id);
    await client.deleteSnapshot(snap.id);
    expect((await client.listSnapshots({ id: snap.id })).items).toEqual([]);
    await client.deleteVolume(volume.id);
    expect((await client.listVolumes({ id: volume.id })).items).toEqual([]);
  });

  it('stops (forced), starts and destroys with expunge', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'vm1-test-1700000000' });
    expect((await client.stopVirtualMachine(vm.id, { forced: true })).state).toBe('Stopped');
    expect((await client.startVirtualMachine(vm.id)).state).toBe('Running');
    await client.destroyVirtualMachine(vm.id, { expunge: true });
    expect((await client.listVirtualMachines({ id: vm.id })).items).toEqual([]);
  });

  it('creates and deletes tags, values with special characters included', async () => {
    const volume = sim.state.addVolume({ name: 'tagged' });
    const value = "a+b/c~d*e:f=g&h'i(j)!k é";
    await client.createTags({ resourceType: 'Volume', resourceIds: [volume.id], tags: { 'app name': value } });
    expect((await client.listVolumes({ id: volume.id })).items[0]?.tags).toEqual({ 'app name': value });
    expect((await client.listVolumes({ tags: { 'app name': value } })).items.map((v) => v.id)).toEqual([volume.id]);
    await client.deleteTags({ resourceType: 'Volume', resourceIds: [volume.id], tags: { 'app name': value } });
    expect((await client.listTags({ resourceId: volume.id })).items).toEqual([]);
  });

  it('queries a job directly, pending and finished', async () => {
    const volume = sim.state.addVolume({ name: 'queried' });
    sim.faults.set('createSnapshot', { jobHang: true, times: 1 });
    const accepted = await client.call('createSnapshot', { volumeid: volume.id });
    const jobId = String(accepted.jobid);
    expect(await client.queryAsyncJobResult(jobId)).toMatchObject({
      jobId,
      status: 0,
      result: null,
      instanceType: 'Snapshot',
      instanceId: accepted.id,
    });
    sim.jobs.completeNow(jobId);
    expect(await client.queryAsyncJobResult(jobId)).toMatchObject({ status: 1, resultCode: 0, resultType: 'object' });
  });

  it('sends reads as GET and state changes as POST', async () => {
    const seen: string[] = [];
    const spying = new CloudStackClient({
      apiUrl: sim.url,
      apiKey: sim.apiKey,
      secretKey: sim.secretKey,
      poll: { initialMs: 2, factor: 1, maxMs: 2 },
      fetch: (input, init) => {
        seen.push(
          `${init?.method ?? 'GET'} ${new URL(input instanceof Request ? input.url : input).searchParams.get('command') ?? 'form'}`,
        );
        return fetch(input, init);
      },
    });
    const volume = sim.state.addVolume({ name: 'methods' });
    await spying.deleteVolume(volume.id);
    await spying.listVolumes({ id: volume.id });
    expect(seen).toEqual(['POST form', 'GET listVolumes']);
  });
});

describe('async failures and documented preconditions', () => {
  it('reports a business-rule job failure as CloudStackJobFailedError 431 and does not retry it', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'busy-vm' });
    const volume = sim.state.addVolume({ name: 'already', virtualMachineId: vm.id });
    const e = await rejection(
      client.attachVolume({ id: volume.id, virtualMachineId: vm.id }),
      CloudStackJobFailedError,
    );
    expect([e.errorcode, e.errortext, e.command]).toEqual([
      431,
      'Please specify a volume that is not attached to any VM.',
      'attachVolume',
    ]);
    expect(e.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.stats.requests('attachVolume')).toBe(1);
  });

  it('attach: refuses a VM that is neither running nor stopped, and a VM with VM snapshots', async () => {
    const volume = sim.state.addVolume({ name: 'attach-rules' });
    const starting = sim.state.addVirtualMachine({ name: 'starting', state: 'Starting' });
    expect(
      (await rejection(client.attachVolume({ id: volume.id, virtualMachineId: starting.id }), CloudStackJobFailedError))
        .errortext,
    ).toBe('Please specify a VM that is either running or stopped.');
    const snapped = sim.state.addVirtualMachine({ name: 'snapped' });
    sim.state.addVmSnapshot(snapped.id);
    expect(
      (await rejection(client.attachVolume({ id: volume.id, virtualMachineId: snapped.id }), CloudStackJobFailedError))
        .errortext,
    ).toBe('Unable to attach volume, please specify a VM that does not have VM snapshots');
    const stopped = sim.state.addVirtualMachine({ name: 'stopped', state: 'Stopped' });
    expect((await client.attachVolume({ id: volume.id, virtualMachineId: stopped.id })).vmState).toBe('Stopped');
  });

  it('detach: refuses a detached volume, an ambiguous request, a VM with VM snapshots, and a ROOT volume of a running VM', async () => {
    const detached = sim.state.addVolume({ name: 'loose' });
    expect((await rejection(client.detachVolume({ id: detached.id }), CloudStackJobFailedError)).errortext).toBe(
      'The specified volume is not attached to a VM.',
    );
    const vm = sim.state.addVirtualMachine({ name: 'detach-rules' });
    const data = sim.state.addVolume({ name: 'detach-data', virtualMachineId: vm.id });
    const both = client.callAsync('detachVolume', { id: data.id, virtualmachineid: vm.id, deviceid: '1' });
    expect((await rejection(both, CloudStackJobFailedError)).errortext).toBe(
      'Please provide either a volume id, or a tuple(device id, instance id)',
    );
    const root = (await client.listVolumes({ virtualMachineId: vm.id, type: 'ROOT' })).items[0];
    expect((await rejection(client.detachVolume({ id: root?.id ?? '' }), CloudStackJobFailedError)).errorcode).toBe(
      431,
    );
    sim.state.addVmSnapshot(vm.id);
    expect((await rejection(client.detachVolume({ id: data.id }), CloudStackJobFailedError)).errortext).toBe(
      'Unable to detach volume, please specify a VM that does not have VM snapshots',
    );
  });

  it('deleteVolume is synchronous: an attached volume is refused with HTTP 431 / cserrorcode 4350, not retried', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'holder' });
    const volume = sim.state.addVolume({ name: 'held', virtualMachineId: vm.id });
    const e = await rejection(client.deleteVolume(volume.id), CloudStackHttpError);
    expect([e.status, e.errorcode, e.cserrorcode, e.errortext]).toEqual([
      431,
      431,
      4350,
      'Please specify a volume that is not attached to any VM.',
    ]);
    expect(sim.stats.requests('deleteVolume')).toBe(1);
  });

  it('deleteVolume of a volume deleted before answers 431/4350 "Unable to find volume with ID"', async () => {
    const volume = sim.state.addVolume({ name: 'twice' });
    await client.deleteVolume(volume.id);
    const e = await rejection(client.deleteVolume(volume.id), CloudStackHttpError);
    expect([e.cserrorcode, e.errortext]).toEqual([4350, `Unable to find volume with ID: ${volume.internalId}`]);
  });

  it('an unknown UUID is a synchronous 431/9999 before any job', async () => {
    const e = await rejection(
      client.attachVolume({
        id: '00000000-0000-4000-8000-000000000000',
        virtualMachineId: '00000000-0000-4000-8000-000000000001',
      }),
      CloudStackHttpError,
    );
    expect([e.status, e.cserrorcode]).toEqual([431, 9999]);
    expect(e.errortext).toContain('Invalid parameter id value=00000000-0000-4000-8000-000000000000');
    expect(sim.stats.requests('queryAsyncJobResult')).toBe(0);
  });

  it('createSnapshot: refuses a volume that is not Ready', async () => {
    const volume = sim.state.addVolume({ name: 'allocated', state: 'Allocated' });
    expect((await rejection(client.createSnapshot({ volumeId: volume.id }), CloudStackJobFailedError)).errortext).toBe(
      'Volume is not in ready state',
    );
  });

  it('revertSnapshot: refuses while the attached VM runs, works with the VM stopped or the volume detached', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'revert-vm' });
    const volume = sim.state.addVolume({ name: 'revert-data', virtualMachineId: vm.id });
    const snap = sim.state.addSnapshot({ volumeId: volume.id });
    expect((await rejection(client.revertSnapshot(snap.id), CloudStackJobFailedError)).errortext).toBe(
      'The VM the specified disk is attached to is not in the shutdown state.',
    );
    await client.stopVirtualMachine(vm.id);
    expect((await client.revertSnapshot(snap.id)).state).toBe('BackedUp');
    await client.startVirtualMachine(vm.id);
    await client.detachVolume({ id: volume.id });
    expect((await client.revertSnapshot(snap.id)).id).toBe(snap.id);
  });

  it('deleteSnapshot: refuses a snapshot that is already destroyed', async () => {
    const volume = sim.state.addVolume({ name: 'snap-twice' });
    const snap = sim.state.addSnapshot({ volumeId: volume.id });
    await client.deleteSnapshot(snap.id);
    expect((await rejection(client.deleteSnapshot(snap.id), CloudStackJobFailedError)).errortext).toBe(
      `Snapshot with id: ${snap.internalId} is already destroyed`,
    );
  });
});
