import { describe, expect, it } from 'vitest';
import { leftoverTestVm } from '../../reconcilers/leftover-test-vm.js';
import type { CsVirtualMachine } from '../../src/world/world.js';
import {
  ago,
  context,
  failoverJob,
  jobTracking,
  ledger,
  NOW,
  testPolicy,
  WorldBuilder,
} from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const ID = 'leftover-test-vm:vm:tvm-1';
const vm = (fields: Partial<CsVirtualMachine> = {}): CsVirtualMachine => ({
  id: 'tvm-1',
  name: 'web-test-1772400000',
  displayName: 'web-test-1772400000',
  state: 'Stopped',
  created: ago(86400),
  ...fields,
});
/** ctx-web is ready again; test VM tvm-1 from completed test failover fj-1 is still there. */
const leftover = (): WorldBuilder =>
  new WorldBuilder()
    .healthyContext('web')
    .add('vms', vm())
    .add('failoverJobs', failoverJob('fj-1', 'ctx-web', { status: 'completed', destinationVmId: 'tvm-1' }))
    .add('ledger', ledger('vm', 'tvm-1', 'failover_jobs.destination_vm_id of test failover fj-1'));

describe('leftover-test-vm', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    { name: 'reports nothing in a healthy world', world: () => new WorldBuilder().healthyContext('web'), expected: [] },
    { name: 'destroys the test VM of a finished failover', world: leftover, expected: [`${ID} → destroy-test-vm`] },
    {
      name: 'matches the sanitised name of a context with odd characters',
      world: () =>
        new WorldBuilder()
          .add('contexts', context('ctx-x', { vmName: 'Web Server_01' }))
          .add('vms', vm({ name: 'web-server-01-test-1772400000', displayName: null }))
          .add('ledger', ledger('vm', 'tvm-1')),
      expected: [`${ID} → destroy-test-vm`],
    },
    {
      name: 'leaves it while the context is failed over to test',
      world: () => leftover().patch('contexts', 'ctx-web', { currentStatus: 'failed_over_test' }),
      expected: [],
    },
    {
      name: 'leaves it while a failover of the context is in flight',
      world: () =>
        leftover().add('failoverJobs', failoverJob('fj-2', 'ctx-web')).add('jobTracking', jobTracking('fj-2')),
      expected: [],
    },
    {
      name: 'leaves it while one of our volumes is attached to it (incident 19)',
      world: () => leftover().patch('volumes', 'vol-web-0', { virtualMachineId: 'tvm-1', deviceId: 0 }),
      expected: [],
    },
    {
      name: 'hands it to the failed-execution cleanup when its failover job is stuck',
      world: () =>
        leftover()
          .patch('failoverJobs', 'fj-1', { status: 'pending' })
          .add('jobTracking', jobTracking('fj-1', { status: 'failed' })),
      expected: [`${ID} → run-failed-execution-cleanup`],
    },
    {
      name: 'never touches a live VM named exactly like the source',
      world: () => new WorldBuilder().healthyContext('web').add('vms', vm({ name: 'web', displayName: 'web' })),
      expected: [],
    },
    {
      name: 'never touches a VM created by a live failover',
      world: () => leftover().patch('failoverJobs', 'fj-1', { jobType: 'live' }),
      expected: [],
    },
    {
      name: 'ignores VMs not named like test VMs and not referenced',
      world: () => new WorldBuilder().healthyContext('web').add('vms', vm({ name: 'jenkins', displayName: null })),
      expected: [],
    },
    {
      name: 'ignores a VM named like another context’s test VM pattern only when no context matches',
      world: () => new WorldBuilder().add('vms', vm({ name: 'other-test-1772400000', displayName: null })),
      expected: [],
    },
    {
      name: 'says nothing when the CloudStack listing is incomplete',
      world: () => leftover().incomplete('cloudstack'),
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(leftoverTestVm.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('destroys with every ownership check holding', () => {
    const [item] = leftoverTestVm.diff(leftover().build(), testPolicy(), NOW);
    expect(item?.contextId).toBe('ctx-web');
    expect(item?.actions).toEqual([
      {
        action: 'destroy-test-vm',
        params: { vmId: 'tvm-1' },
        destructive: true,
        ownership: {
          inLedger: true,
          namedLikeOurs: true,
          noReferencingRow: true,
          notOmaRootVolume: true,
          notLiveFailoverVm: true,
        },
      },
    ]);
  });

  it('fails the ledger check for a VM that only looks like a test VM, and says how to adopt it', () => {
    const [item] = leftoverTestVm.diff(
      new WorldBuilder().healthyContext('web').add('vms', vm()).build(),
      testPolicy(),
      NOW,
    );
    expect(item?.actions[0]?.ownership?.inLedger).toBe(false);
    expect(item?.note).toMatch(/looks like a test VM by name only.*adopt it/);
  });
});
