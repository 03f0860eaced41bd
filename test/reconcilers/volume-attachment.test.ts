import { describe, expect, it } from 'vitest';
import { volumeAttachment } from '../../reconcilers/volume-attachment.js';
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

const detached = (status = 'ready_for_failover'): WorldBuilder =>
  new WorldBuilder()
    .healthyContext('web', { status })
    .patch('volumes', 'vol-web-0', { virtualMachineId: null, vmName: null, deviceId: null });
const onTestVm = (): WorldBuilder =>
  new WorldBuilder()
    .healthyContext('web')
    .add('vms', {
      id: 'tvm-1',
      name: 'web-test-1772400000',
      displayName: 'web-test-1772400000',
      state: 'Stopped',
      created: ago(7200),
    })
    .patch('volumes', 'vol-web-0', { virtualMachineId: 'tvm-1', vmName: 'web-test-1772400000', deviceId: 0 });

describe('volume-attachment', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    {
      name: 'reports nothing when every volume is on the OMA',
      world: () => new WorldBuilder().healthyContext('web', { disks: 3 }),
      expected: [],
    },
    {
      name: 'reattaches a detached volume of a ready context',
      world: () => detached(),
      expected: ['volume-attachment:volume:vol-web-0 → attach-volume-to-oma'],
    },
    {
      name: 'reattaches for replicating and discovered contexts too',
      world: () => detached('discovered'),
      expected: ['volume-attachment:volume:vol-web-0 → attach-volume-to-oma'],
    },
    {
      name: 'leaves volumes of a context failed over to test alone',
      world: () => detached('failed_over_test'),
      expected: [],
    },
    {
      name: 'reports a volume attached to another VM without moving it',
      world: onTestVm,
      expected: ['volume-attachment:volume:vol-web-0 → report'],
    },
    {
      name: 'says nothing about a volume on another VM while a failover is in flight',
      world: () =>
        onTestVm().add('failoverJobs', failoverJob('fj-1', 'ctx-web')).add('jobTracking', jobTracking('fj-1')),
      expected: [],
    },
    {
      name: 'says nothing when the OMA VM id is unset',
      world: () => {
        const b = detached();
        b.omaVmId = null;
        return b;
      },
      expected: [],
    },
    {
      name: 'says nothing when CloudStack does not know the OMA VM (wrong id, incident 12)',
      world: () => detached().remove('vms', OMA_VM_ID),
      expected: [],
    },
    {
      name: 'says nothing for a volume missing from a partial listing',
      world: () => detached().remove('volumes', 'vol-web-0').incomplete('cloudstack'),
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(volumeAttachment.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('attaches to the OMA VM id in force, non-destructively', () => {
    const [item] = volumeAttachment.diff(detached().build(), testPolicy(), NOW);
    expect(item?.actions).toEqual([
      { action: 'attach-volume-to-oma', params: { volumeId: 'vol-web-0', omaVmId: OMA_VM_ID }, destructive: false },
    ]);
  });
});
