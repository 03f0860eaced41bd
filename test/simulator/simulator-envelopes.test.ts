import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/start-simulator.js';
import { independentRequest } from './helpers/independent-signer.js';

const KEY = 'envelope-key';
const SECRET = 'envelope-secret';
let sim: Simulator;
let clock = Date.UTC(2030, 5, 1);

beforeAll(async () => {
  sim = await startSimulator({ apiKey: KEY, secretKey: SECRET, now: () => clock, config: { asyncJobDurationMs: 0 } });
});
afterAll(async () => {
  await sim.close();
});

/** Signed GET of `command` with extra parameters; returns status, headers and the inner object. */
async function api(command: string, extra: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') {
  const res = await independentRequest(
    sim.url,
    [['command', command], ['response', 'json'], ['apikey', KEY], ...Object.entries(extra)],
    SECRET,
    method,
  );
  return { ...res, inner: res.json[`${command.toLowerCase()}response`] ?? {} };
}

/** Polls a job until it leaves jobstatus 0 (the job duration is 0 ms here). */
async function finished(jobid: string) {
  for (;;) {
    const { inner } = await api('queryAsyncJobResult', { jobid });
    if (inner.jobstatus !== 0) return inner;
    await new Promise((r) => setImmediate(r));
  }
}

describe('a fresh simulator', () => {
  it('has one zone, one service offering, one disk offering and one template', async () => {
    expect((await api('listZones')).inner).toMatchObject({ count: 1, zone: [{ id: sim.state.defaults.zoneId }] });
    expect((await api('listServiceOfferings')).inner).toMatchObject({
      count: 1,
      serviceoffering: [{ id: sim.state.defaults.serviceOfferingId }],
    });
    expect((await api('listDiskOfferings')).inner).toMatchObject({
      count: 1,
      diskoffering: [{ id: sim.state.defaults.diskOfferingId, iscustomized: true }],
    });
    expect((await api('listTemplates', { templatefilter: 'featured' })).inner).toMatchObject({
      count: 1,
      template: [{ id: sim.state.defaults.templateId }],
    });
  });

  it('answers listTemplates without templatefilter with the missing-parameter 431', async () => {
    const res = await api('listTemplates');
    expect(res.status).toBe(431);
    expect(res.json).toEqual({
      listtemplatesresponse: {
        uuidList: [],
        errorcode: 431,
        cserrorcode: 9999,
        errortext: 'Unable to execute API command listtemplates due to missing parameter templatefilter',
      },
    });
    expect(res.headers.get('x-description')).toContain('missing parameter templatefilter');
  });

  it('lists nothing as the bare {} envelope (no count, no item key)', async () => {
    const res = await api('listVolumes', { listall: 'true' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ listvolumesresponse: {} });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers in XML when response=json is not sent', async () => {
    const res = await independentRequest(
      sim.url,
      [
        ['command', 'listZones'],
        ['apikey', KEY],
      ],
      SECRET,
    );
    expect(res.text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><listzonesresponse[^>]*><count>1<\/count><zone><id>/,
    );
  });
});

describe('building a world through the API', () => {
  let vmId = '';
  let volumeId = '';

  it('deploys a VM as an async-create job ({id, jobid}) whose result is the running VM with a ROOT volume', async () => {
    const d = sim.state.defaults;
    const accepted = await api(
      'deployVirtualMachine',
      { serviceofferingid: d.serviceOfferingId, templateid: d.templateId, zoneid: d.zoneId, name: 'oma-appliance' },
      'POST',
    );
    expect(Object.keys(accepted.inner).sort()).toEqual(['id', 'jobid']);
    const job = await finished(String(accepted.inner.jobid));
    expect(job).toMatchObject({
      jobstatus: 1,
      jobresultcode: 0,
      jobresulttype: 'object',
      jobinstancetype: 'VirtualMachine',
      cmd: 'org.apache.cloudstack.api.command.user.vm.DeployVMCmd',
    });
    expect((job.jobresult as { virtualmachine: { state: string } }).virtualmachine.state).toBe('Running');
    vmId = String(accepted.inner.id);
    const root = (await api('listVolumes', { virtualmachineid: vmId })).inner;
    expect(root).toMatchObject({
      count: 1,
      volume: [{ type: 'ROOT', deviceid: 0, virtualmachineid: vmId, vmname: 'oma-appliance' }],
    });
  });

  it('creates a data volume ({id, jobid}) in state Allocated, without any VM fields', async () => {
    const accepted = await api('createVolume', {
      name: 'migration-vm1-vm1-disk-0',
      diskofferingid: sim.state.defaults.diskOfferingId,
      zoneid: sim.state.defaults.zoneId,
      size: '20',
    });
    volumeId = String(accepted.inner.id);
    const job = await finished(String(accepted.inner.jobid));
    const volume = (job.jobresult as { volume: Record<string, unknown> }).volume;
    expect(volume).toMatchObject({ id: volumeId, state: 'Allocated', size: 20 * 1024 ** 3, type: 'DATADISK' });
    for (const absent of ['virtualmachineid', 'vmname', 'vmstate', 'deviceid', 'attached']) {
      expect(volume).not.toHaveProperty(absent);
    }
    expect(volume.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
  });

  it('attaches it as an async job ({jobid} only) and then shows the VM fields, device 1 and attach time', async () => {
    const accepted = await api('attachVolume', { id: volumeId, virtualmachineid: vmId });
    expect(Object.keys(accepted.inner)).toEqual(['jobid']);
    const job = await finished(String(accepted.inner.jobid));
    expect((job.jobresult as { volume: Record<string, unknown> }).volume).toMatchObject({
      state: 'Ready',
      deviceid: 1,
      virtualmachineid: vmId,
      vmstate: 'Running',
      attached: expect.stringMatching(/\+0000$/),
    });
  });

  it('shows a pending job without jobresulttype, jobresult or completed, and marks the object with jobid/jobstatus', async () => {
    sim.faults.set('createSnapshot', { jobDurationMs: 60_000, times: 1 });
    const accepted = await api('createSnapshot', { volumeid: volumeId });
    const pending = (await api('queryAsyncJobResult', { jobid: String(accepted.inner.jobid) })).inner;
    expect(pending).toMatchObject({
      jobstatus: 0,
      jobprocstatus: 0,
      jobresultcode: 0,
      jobinstancetype: 'Snapshot',
      jobinstanceid: accepted.inner.id,
    });
    for (const absent of ['jobresulttype', 'jobresult', 'completed']) expect(pending).not.toHaveProperty(absent);
    const snapshot = (await api('listSnapshots', { id: String(accepted.inner.id) })).inner;
    expect(snapshot).toMatchObject({
      count: 1,
      snapshot: [{ state: 'Creating', jobid: accepted.inner.jobid, jobstatus: 0 }],
    });
    expect((await api('listVolumes', { id: volumeId })).inner).toMatchObject({ volume: [{ state: 'Snapshotting' }] });
  });

  it('reports a failed job with HTTP 200, jobstatus 2, jobresultcode = errorcode and {errorcode, errortext}', async () => {
    const otherVolume = sim.state.addVolume({ name: 'spare' });
    sim.state.attachVolume(otherVolume.id, vmId);
    const accepted = await api('attachVolume', { id: otherVolume.id, virtualmachineid: vmId });
    expect(accepted.status).toBe(200);
    const job = await finished(String(accepted.inner.jobid));
    expect(job).toMatchObject({
      jobstatus: 2,
      jobresultcode: 431,
      jobresulttype: 'object',
      jobresult: { errorcode: 431, errortext: 'Please specify a volume that is not attached to any VM.' },
      completed: expect.stringMatching(/\+0000$/),
    });
  });
});

describe('paging', () => {
  beforeAll(() => {
    for (let i = 0; i < 7; i++) sim.state.addVolume({ name: `page-${i}`, account: 'other-account' });
  });
  const paged = (extra: Record<string, string>) =>
    api('listVolumes', { listall: 'true', account: 'other-account', ...extra });

  it('reports count as the total, not the page size', async () => {
    const { inner } = await paged({ page: '2', pagesize: '3' });
    expect(inner.count).toBe(7);
    expect(inner.volume).toHaveLength(3);
  });

  it('answers a page past the end with the count only', async () => {
    expect((await paged({ page: '9', pagesize: '3' })).json).toEqual({ listvolumesresponse: { count: 7 } });
  });

  it('needs page and pagesize together, caps pagesize at 500, and takes pagesize=-1 alone as everything', async () => {
    expect((await paged({ page: '1' })).json.listvolumesresponse).toMatchObject({
      errorcode: 431,
      errortext: '"pagesize" parameter is required when "page" is specified',
    });
    expect((await paged({ pagesize: '3' })).json.listvolumesresponse).toMatchObject({
      errorcode: 431,
      errortext: '"page" parameter is required when "pagesize" is specified',
    });
    expect((await paged({ page: '1', pagesize: '501' })).json.listvolumesresponse).toEqual({
      uuidList: [],
      errorcode: 431,
      cserrorcode: 4350,
      errortext: "Page size can't exceed max allowed page size value: 500",
    });
    expect((await paged({ pagesize: '-1' })).inner.volume).toHaveLength(7);
  });

  it('returns at most 500 items without paging parameters, with the full count', async () => {
    for (let i = 0; i < 520; i++) sim.state.addVolume({ name: `bulk-${i}`, account: 'bulk' });
    const { inner } = await api('listVolumes', { listall: 'true', account: 'bulk' });
    expect(inner.count).toBe(520);
    expect(inner.volume).toHaveLength(500);
  });

  it('hides other accounts without listall=true, even from the root admin', async () => {
    expect((await api('listVolumes', { account: 'other-account' })).inner.count).toBe(7);
    const own = (await api('listVolumes')).inner;
    expect((own.volume as { account: string }[]).every((v) => v.account === 'admin')).toBe(true);
  });
});

describe('unknown and removed UUIDs', () => {
  it('answers a never-known UUID with the synchronous 431/9999 parameter error (no job)', async () => {
    const unknown = '0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b';
    const list = await api('listVolumes', { id: unknown });
    expect(list.json).toEqual({
      listvolumesresponse: {
        uuidList: [],
        errorcode: 431,
        cserrorcode: 9999,
        errortext: `Unable to execute API command listvolumes due to invalid value. Invalid parameter id value=${unknown} due to incorrect long value format, or entity does not exist or due to incorrect parameter annotation for the field in api cmd class.`,
      },
    });
    const jobsBefore = (await api('listAsyncJobs')).inner.count;
    expect((await api('attachVolume', { id: unknown, virtualmachineid: unknown })).status).toBe(431);
    expect((await api('listAsyncJobs')).inner.count).toBe(jobsBefore);
  });

  it('still resolves a deleted volume: list answers {}, deleteVolume answers 431/4350 "Unable to find volume with ID: N"', async () => {
    const volume = sim.state.addVolume({ name: 'short-lived' });
    expect((await api('deleteVolume', { id: volume.id })).json).toEqual({ deletevolumeresponse: { success: true } });
    expect((await api('listVolumes', { id: volume.id })).json).toEqual({ listvolumesresponse: {} });
    const again = await api('deleteVolume', { id: volume.id });
    expect(again.json).toEqual({
      deletevolumeresponse: {
        uuidList: [],
        errorcode: 431,
        cserrorcode: 4350,
        errortext: `Unable to find volume with ID: ${volume.internalId}`,
      },
    });
  });

  it('refuses deleting an attached volume synchronously with 431/4350', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'holder' });
    const volume = sim.state.addVolume({ name: 'held', virtualMachineId: vm.id });
    const res = await api('deleteVolume', { id: volume.id });
    expect(res.status).toBe(431);
    expect(res.json).toEqual({
      deletevolumeresponse: {
        uuidList: [],
        errorcode: 431,
        cserrorcode: 4350,
        errortext: 'Please specify a volume that is not attached to any VM.',
      },
    });
  });

  it('forgets a finished job after the expiry and then answers its id with 431', async () => {
    const volume = sim.state.addVolume({ name: 'expiring' });
    const accepted = await api('createSnapshot', { volumeid: volume.id });
    const jobid = String(accepted.inner.jobid);
    expect((await finished(jobid)).jobstatus).toBe(1);
    clock += sim.config.jobExpiryMs + 1;
    const gone = await api('queryAsyncJobResult', { jobid });
    expect(gone.status).toBe(431);
    expect(gone.json.queryasyncjobresultresponse).toMatchObject({
      errorcode: 431,
      cserrorcode: 9999,
      errortext: expect.stringContaining(`Invalid parameter jobid value=${jobid}`),
    });
  });
});

describe('map parameters', () => {
  it('groups tags[i].key/value by index and ORs several pairs in list filters', async () => {
    const a = sim.state.addVolume({ name: 'tag-a' });
    const b = sim.state.addVolume({ name: 'tag-b' });
    sim.state.addVolume({ name: 'tag-c' });
    sim.state.addTag({ resourceType: 'Volume', resourceId: a.id, key: 'owner', value: 'x' });
    sim.state.addTag({ resourceType: 'Volume', resourceId: b.id, key: 'team', value: 'y' });
    const { inner } = await api('listVolumes', {
      'tags[0].key': 'owner',
      'tags[0].value': 'x',
      'tags[1].key': 'team',
      'tags[1].value': 'y',
    });
    expect((inner.volume as { name: string }[]).map((v) => v.name).sort()).toEqual(['tag-a', 'tag-b']);
    expect((inner.volume as { tags: unknown[] }[])[0]?.tags).toHaveLength(1);
  });

  it('answers a malformed map parameter with 430', async () => {
    const res = await api('listVolumes', { 'tags[x]': 'owner' });
    expect(res.status).toBe(430);
  });
});
