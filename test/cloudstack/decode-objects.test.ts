import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsTimestamp, formatCsTimestamp } from '../../src/cloudstack/cs-time.js';
import {
  asObject,
  decodeAsyncJob,
  decodeSnapshot,
  decodeSuccess,
  decodeTag,
  decodeVirtualMachine,
  decodeVolume,
} from '../../src/cloudstack/decode-objects.js';

const FIXTURES = new URL('fixtures/', import.meta.url).pathname;
type Obj = Readonly<Record<string, unknown>>;
const read = (path: string): Obj => JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as Obj;
/** Walks into parsed JSON: `at(x, 'volume', 0)`. */
const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);
const list = (value: unknown, ...path: (string | number)[]): unknown[] => at(value, ...path) as unknown[];
/** The object inside the single `<cmd>response` key. */
const inner = (path: string): Obj => Object.values(read(path))[0] as Obj;

describe('CloudStack timestamps', () => {
  it('turns server-zone timestamps with colon-less offsets into ISO UTC', () => {
    expect(parseCsTimestamp('2021-10-04T09:24:38+0000')).toBe('2021-10-04T09:24:38.000Z');
    expect(parseCsTimestamp('2013-04-16T16:25:57-0700')).toBe('2013-04-16T23:25:57.000Z');
    expect(parseCsTimestamp('2014-09-17T19:55:48+0900')).toBe('2014-09-17T10:55:48.000Z');
    expect(parseCsTimestamp('2030-01-01T00:00:00Z')).toBe('2030-01-01T00:00:00.000Z');
  });

  it('gives null for absent or malformed times instead of inventing one', () => {
    expect(parseCsTimestamp(undefined)).toBeNull();
    expect(parseCsTimestamp('yesterday')).toBeNull();
  });

  it('formats times the way the server and the expires parameter do', () => {
    expect(formatCsTimestamp(Date.UTC(2030, 0, 1, 0, 0, 0))).toBe('2030-01-01T00:00:00+0000');
  });
});

describe('decoding the libcloud fixtures (real captured bodies)', () => {
  it('decodes listVolumes: an attached KVM ROOT volume with its VM and device id', () => {
    const [volume] = list(inner('libcloud/listVolumes_default.json'), 'volume').map(decodeVolume);
    expect(volume).toEqual({
      id: 'fe1ada16-57a0-40ae-b577-01a153690fb4',
      name: 'ROOT-69942',
      type: 'ROOT',
      state: 'Ready',
      sizeBytes: 139264,
      virtualMachineId: '3239ade9-fd25-405c-8eda-59f0313a3fb0',
      vmName: 'apb-cent32-bld',
      vmState: 'Stopped',
      deviceId: 0,
      created: '2013-04-16T23:25:57.000Z',
      tags: {},
    });
    expect(decodeVolume(at(inner('libcloud/listVolumes_rootdisksize.json'), 'volume', 0)).sizeBytes).toBe(53687091200);
  });

  it('decodes an attach job result with device id 5 and a detach result whose VM fields are absent', () => {
    const attached = decodeVolume(
      decodeAsyncJob(inner('libcloud/queryAsyncJobResult_attachvolumejob.json')).result?.volume,
    );
    expect(attached).toMatchObject({
      deviceId: 5,
      virtualMachineId: 'ab2c18f6-00a6-43f8-9fe0-efecb3165dd7',
      vmState: 'Running',
      type: 'DATADISK',
    });
    const detached = decodeVolume(
      decodeAsyncJob(inner('libcloud/queryAsyncJobResult_detachvolumejob.json')).result?.volume,
    );
    expect(detached).toMatchObject({
      id: '5931d2ca-4e90-4915-88a8-32b38b3991a3',
      virtualMachineId: null,
      vmName: null,
      vmState: null,
      deviceId: null,
      state: 'Ready',
    });
  });

  it('decodes a createVolume job result in state Allocated', () => {
    const job = decodeAsyncJob(inner('libcloud/queryAsyncJobResult_createvolumejob.json'));
    expect(job.status).toBe(1);
    expect(decodeVolume(job.result?.volume)).toMatchObject({
      state: 'Allocated',
      sizeBytes: 10737418240,
      virtualMachineId: null,
    });
  });

  it('decodes listSnapshots with integer ids of an old server as strings', () => {
    const snapshots = list(inner('libcloud/listSnapshots_default.json'), 'snapshot').map(decodeSnapshot);
    expect(snapshots).toHaveLength(3);
    expect(snapshots[0]).toEqual({
      id: '188402',
      name: 'i-123-87654-VM_ROOT-12344_20140917105548',
      volumeId: '89341',
      state: 'BackedUp',
      revertable: null,
      created: '2014-09-17T10:55:48.000Z',
    });
  });

  it('decodes a createSnapshot job that finished in CreatedOnPrimary (not yet usable)', () => {
    const job = decodeAsyncJob(inner('libcloud/queryAsyncJobResult_1300001.json'));
    expect(job.jobId).toBe('1300001');
    expect(decodeSnapshot(job.result?.snapshot)).toMatchObject({
      id: '190547',
      state: 'CreatedOnPrimary',
      volumeId: 'fe1ada16-57a0-40ae-b577-01a153690fb4',
    });
  });

  it('decodes listVirtualMachines (no count in this old capture) including a Starting VM', () => {
    const vms = list(inner('libcloud/listVirtualMachines_default.json'), 'virtualmachine').map(decodeVirtualMachine);
    expect(vms.map((v) => v.state)).toEqual(['Running', 'Starting']);
    expect(vms[0]).toEqual({
      id: '2600',
      name: 'test',
      displayName: 'test',
      state: 'Running',
      created: '2011-06-23T05:06:42.000Z',
    });
    expect(
      list(inner('libcloud/listVirtualMachines_default.json'), 'virtualmachine', 0, 'tags').map(decodeTag),
    ).toEqual([
      { key: 'testkey', value: 'testvalue', resourceType: null, resourceId: null },
      { key: 'foo', value: 'bar', resourceType: null, resourceId: null },
    ]);
  });

  it('decodes a destroy job result with the VM in state Destroyed', () => {
    const job = decodeAsyncJob(inner('libcloud/queryAsyncJobResult_17166.json'));
    expect(decodeVirtualMachine(job.result?.virtualmachine)).toMatchObject({ id: '2602', state: 'Destroyed' });
  });

  it('treats a bare failed job (jobstatus 2 without jobresult) as a failure with a code', () => {
    const job = decodeAsyncJob(inner('libcloud/queryAsyncJobResult_17177.json'));
    expect(job.status).toBe(2);
    expect(job.error).toEqual({ errorcode: 530, errortext: 'job failed without an error text' });
  });

  it('reads success both as a boolean and as the old "true" string', () => {
    expect(decodeSuccess(inner('libcloud/deleteVolume_default.json'))).toBe(true);
    expect(decodeSuccess(decodeAsyncJob(inner('libcloud/queryAsyncJobResult_1300002.json')).result)).toBe(true);
    expect(decodeSuccess(decodeAsyncJob(inner('libcloud/queryAsyncJobResult_createtagsjob.json')).result)).toBe(true);
    expect(decodeSuccess(decodeAsyncJob(inner('libcloud/queryAsyncJobResult_deletetagsjob.json')).result)).toBe(true);
  });

  it('keeps the job id of every async accept body, integer or UUID', () => {
    for (const file of [
      'attachVolume_default',
      'detachVolume_default',
      'createSnapshot_default',
      'deleteSnapshot_default',
      'destroyVirtualMachine_default',
      'createVolume_default',
    ]) {
      const body = inner(`libcloud/${file}.json`);
      expect(String(body.jobid)).not.toBe('');
    }
    expect(inner('libcloud/createSnapshot_default.json')).toMatchObject({ id: 190547, jobid: 1300001 });
  });

  it('sees the empty-list envelope as an object without count or items', () => {
    expect(inner('libcloud/listSSHKeyPairs_get_one_doesnt_exist.json')).toEqual({});
  });

  it('parses every libcloud fixture as one <cmd>response envelope', () => {
    const files = readdirSync(join(FIXTURES, 'libcloud'));
    expect(files.length).toBe(25);
    for (const f of files) {
      const envelope = read(`libcloud/${f}`);
      expect(Object.keys(envelope)).toHaveLength(1);
      expect(Object.keys(envelope)[0]).toMatch(/response$/);
      expect(asObject(Object.values(envelope)[0])).not.toBeNull();
    }
  });
});

describe('decoding the cloudstack-go fixtures (4.16 simulator zone)', () => {
  it('decodes the full VM object of listVirtualMachines and of the stop/start/deploy job results', () => {
    const vm = read('cloudstack-go/VirtualMachineService.json');
    const listed = decodeVirtualMachine(at(vm, 'listVirtualMachines', 'listVirtualMachines', 'virtualmachine', 0));
    expect(listed).toEqual({
      id: '915653c4-298b-4d74-bdee-4ced282114f1',
      name: 'testDummyVM',
      displayName: 'testDummyVM',
      state: 'Running',
      created: '2021-10-04T09:24:38.000Z',
    });
    const stopped = decodeAsyncJob(at(vm, 'stopVirtualMachine', 'stopvirtualmachineresponse'));
    expect(decodeVirtualMachine(stopped.result?.virtualmachine).state).toBe('Stopped');
    expect(stopped.cmd).toBe('org.apache.cloudstack.api.command.admin.vm.StopVMCmdByAdmin');
    expect(
      decodeVirtualMachine(
        decodeAsyncJob(at(vm, 'startVirtualMachine', 'startvirtualmachineresponse')).result?.virtualmachine,
      ).state,
    ).toBe('Running');
    expect(
      decodeVirtualMachine(
        decodeAsyncJob(at(vm, 'deployVirtualMachine', 'deployvirtualmachineresponse')).result?.virtualmachine,
      ).id,
    ).toBe('915653c4-298b-4d74-bdee-4ced282114f1');
  });

  it('decodes finished createTags/deleteTags jobs as success with completion times', () => {
    const tags = read('cloudstack-go/ResourcetagsService.json');
    const created = decodeAsyncJob(at(tags, 'createTags', 'createtagsresponse'));
    expect(created).toMatchObject({ status: 1, resultType: 'object', completed: '2021-10-04T06:58:35.000Z' });
    expect(decodeSuccess(created.result)).toBe(true);
    expect(decodeSuccess(decodeAsyncJob(at(tags, 'deleteTags', 'deletetagsresponse')).result)).toBe(true);
  });

  it('reads the asyncjobs list item key of listAsyncJobs', () => {
    const jobs = at(read('cloudstack-go/AsyncJobService.json'), 'listAsyncJobs', 'listasyncjobsresponse');
    expect(at(jobs, 'count')).toBe(1);
    expect(at(jobs, 'asyncjobs', 0, 'jobid')).toBe('6679e6b9-4bf2-4d83-b9f0-235fc1609227');
  });
});

describe('decoding the derived envelopes', () => {
  const envelopes = read('derived/envelopes.json').envelopes as Record<string, { http_status: number; body: Obj }>;
  const body = (name: string): Obj => Object.values(envelopes[name]!.body)[0] as Obj;

  it('decodes the list items of volume, snapshot and tag with every field the reconciler uses', () => {
    expect(decodeVolume(at(body('list-volumes-one'), 'volume', 0))).toEqual({
      id: '0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b',
      name: 'data-1',
      type: 'DATADISK',
      state: 'Ready',
      sizeBytes: 10737418240,
      virtualMachineId: '6f1b7d1e-1d2a-4a8e-9a57-0c1e1f2a3b4c',
      vmName: 'i-2-10-VM',
      vmState: 'Running',
      deviceId: 1,
      created: '2024-05-01T10:00:00.000Z',
      tags: { 'csi.owner': 'node-1' },
    });
    expect(decodeSnapshot(at(body('list-snapshots-one'), 'snapshot', 0))).toEqual({
      id: '3e7c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b',
      name: 'data-1_20240501110000',
      volumeId: '0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b',
      state: 'BackedUp',
      revertable: true,
      created: '2024-05-01T11:00:00.000Z',
    });
    expect(decodeTag(at(body('list-tags-one'), 'tag', 0))).toEqual({
      key: 'csi.owner',
      value: 'node-1',
      resourceType: 'Volume',
      resourceId: '0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b',
    });
  });

  it('decodes pending, succeeded and failed jobs', () => {
    const pending = decodeAsyncJob(body('job-pending'));
    expect(pending).toMatchObject({
      status: 0,
      resultType: null,
      result: null,
      error: null,
      completed: null,
      instanceType: 'Volume',
    });
    expect(decodeVolume(decodeAsyncJob(body('job-succeeded-detachVolume')).result?.volume).virtualMachineId).toBeNull();
    expect(decodeSnapshot(decodeAsyncJob(body('job-succeeded-revertSnapshot')).result?.snapshot).revertable).toBe(true);
    expect(decodeAsyncJob(body('job-failed-param')).error).toEqual({
      errorcode: 431,
      errortext: 'The VM the specified disk is attached to is not in the shutdown state.',
    });
    expect(decodeAsyncJob(body('job-failed-internal')).error?.errorcode).toBe(530);
  });
});
