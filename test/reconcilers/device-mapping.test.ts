import { describe, expect, it } from 'vitest';
import { deviceMapping } from '../../reconcilers/device-mapping.js';
import {
  ago,
  failoverJob,
  jobTracking,
  NOW,
  OMA_VM_ID,
  testPolicy,
  WorldBuilder,
} from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const ID = 'device-mapping:device-mapping:vol-web-0';
const healthy = (): WorldBuilder => new WorldBuilder().healthyContext('web', { disks: 2 });
const withTestVm = (): WorldBuilder =>
  healthy().add('vms', {
    id: 'tvm-1',
    name: 'web-test-1772400000',
    displayName: null,
    state: 'Running',
    created: ago(3600),
  });

describe('device-mapping', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    { name: 'reports nothing when rows match CloudStack', world: healthy, expected: [] },
    {
      name: 'deletes the row of a detached volume (incident 10)',
      world: () => healthy().patch('volumes', 'vol-web-0', { virtualMachineId: null }),
      expected: [`${ID} → delete-device-mapping`],
    },
    {
      name: 'deletes the row of a volume CloudStack no longer has',
      world: () => healthy().remove('volumes', 'vol-web-0'),
      expected: [`${ID} → delete-device-mapping`],
    },
    {
      name: 'keeps the row when the volume is missing from a partial listing',
      world: () => healthy().remove('volumes', 'vol-web-0').incomplete('cloudstack'),
      expected: [],
    },
    {
      name: 'creates the row of an OMA volume that has none',
      world: () => healthy().remove('deviceMappings', 'vol-web-0'),
      expected: [`${ID} → create-device-mapping`],
    },
    {
      name: 'flips a row left in failover mode back to oma for a volume on the OMA',
      world: () =>
        healthy().patch('deviceMappings', 'vol-web-0', {
          operationMode: 'failover',
          vmId: 'tvm-1',
          devicePath: 'remote-vm-root-tvm-1',
        }),
      expected: [`${ID} → update-device-mapping`],
    },
    {
      name: 'fixes an OMA row with a non by-id path',
      world: () => healthy().patch('deviceMappings', 'vol-web-0', { devicePath: '/dev/vdb' }),
      expected: [`${ID} → update-device-mapping`],
    },
    {
      name: 'updates a row to the VM the volume is really attached to',
      world: () => withTestVm().patch('volumes', 'vol-web-0', { virtualMachineId: 'tvm-1', deviceId: 0 }),
      expected: [`${ID} → update-device-mapping`],
    },
    {
      name: 'reports only when the failover path is already taken by another row (incident 9)',
      world: () =>
        withTestVm()
          .patch('volumes', 'vol-web-0', { virtualMachineId: 'tvm-1', deviceId: 1 })
          .patch('volumes', 'vol-web-1', { virtualMachineId: 'tvm-1', deviceId: 2 })
          .patch('deviceMappings', 'vol-web-1', {
            vmId: 'tvm-1',
            operationMode: 'failover',
            devicePath: 'remote-vm-tvm-1',
          }),
      expected: [`${ID} → report`],
    },
    {
      name: 'never creates rows for volumes attached to other VMs',
      world: () =>
        withTestVm().remove('deviceMappings', 'vol-web-0').patch('volumes', 'vol-web-0', { virtualMachineId: 'tvm-1' }),
      expected: [],
    },
    {
      name: 'says nothing without a confirmed OMA VM',
      world: () => healthy().remove('deviceMappings', 'vol-web-0').remove('vms', OMA_VM_ID),
      expected: [],
    },
    {
      name: 'still proposes the fix during a failover (the in-flight gate holds it)',
      world: () =>
        healthy()
          .patch('deviceMappings', 'vol-web-0', { operationMode: 'failover' })
          .add('failoverJobs', failoverJob('fj-1', 'ctx-web'))
          .add('jobTracking', jobTracking('fj-1')),
      expected: [`${ID} → update-device-mapping`],
    },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(deviceMapping.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('creates an oma-mode row with the by-id path for the context', () => {
    const [item] = deviceMapping.diff(healthy().remove('deviceMappings', 'vol-web-0').build(), testPolicy(), NOW);
    expect(item?.class).toBe('missing');
    expect(item?.actions).toEqual([
      {
        action: 'create-device-mapping',
        params: {
          volumeUuid: 'vol-web-0',
          vmId: OMA_VM_ID,
          contextId: 'ctx-web',
          devicePath: '/dev/disk/by-id/virtio-volweb0',
          operationMode: 'oma',
        },
        destructive: false,
      },
    ]);
  });

  it('gives a moved root volume the remote-vm-root path in failover mode', () => {
    const [item] = deviceMapping.diff(
      withTestVm().patch('volumes', 'vol-web-0', { virtualMachineId: 'tvm-1', deviceId: 0 }).build(),
      testPolicy(),
      NOW,
    );
    expect(item?.actions[0]).toMatchObject({
      params: { vmId: 'tvm-1', operationMode: 'failover', devicePath: 'remote-vm-root-tvm-1' },
    });
  });
});
