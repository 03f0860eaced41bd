import { describe, expect, it } from 'vitest';
import { stuckFailoverJob } from '../../reconcilers/stuck-failover-job.js';
import type { FailoverJobRow, JobTrackingRow } from '../../src/world/world.js';
import { ago, failoverJob, jobTracking, NOW, testPolicy, WorldBuilder } from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const ID = 'stuck-failover-job:failover-job:fj-1';
const failover = (tracking: Partial<JobTrackingRow> | null, job: Partial<FailoverJobRow> = {}): WorldBuilder => {
  const b = new WorldBuilder()
    .healthyContext('web', { status: 'failed_over_test' })
    .add('failoverJobs', failoverJob('fj-1', 'ctx-web', job));
  return tracking === null ? b : b.add('jobTracking', jobTracking('fj-1', tracking));
};

describe('stuck-failover-job', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    { name: 'reports nothing in a healthy world', world: () => new WorldBuilder().healthyContext('web'), expected: [] },
    {
      name: 'leaves a running failover with recent activity alone',
      world: () => failover({ lastActivityAt: ago(120) }),
      expected: [],
    },
    {
      name: 'cleans up a test failover whose tracking row failed',
      world: () => failover({ status: 'failed', errorMessage: 'vm-creation failed' }),
      expected: [`${ID} → run-failed-execution-cleanup`],
    },
    {
      name: 'cleans up a test failover with no activity past the threshold',
      world: () => failover({ lastActivityAt: ago(3600) }),
      expected: [`${ID} → run-failed-execution-cleanup`],
    },
    {
      name: 'gives virtio injection its longer threshold',
      world: () => failover({ currentStep: 'virtio-driver-injection', lastActivityAt: ago(3600) }),
      expected: [],
    },
    {
      name: 'but not for ever',
      world: () => failover({ currentStep: 'virtio-driver-injection', lastActivityAt: ago(8000) }),
      expected: [`${ID} → run-failed-execution-cleanup`],
    },
    {
      name: 'never recovers a live failover automatically',
      world: () => failover({ status: 'failed', operation: 'unified-live-failover' }, { jobType: 'live' }),
      expected: [`${ID} → report`],
    },
    {
      name: 'reports a row pending while tracking says completed',
      world: () => failover({ status: 'completed' }),
      expected: [`${ID} → report`],
    },
    {
      name: 'reports an old row without a tracking row',
      world: () => failover(null, { updatedAt: ago(7200) }),
      expected: [`${ID} → report`],
    },
    {
      name: 'reports only while a device of the context is still held on the OMA (virt-v2v, incident 7)',
      world: () =>
        failover({ currentStep: 'virtio-driver-injection', lastActivityAt: ago(8000) }).patch('links', 'vol-web-0', {
          busy: ['open:4711(virt-v2v-in-place)'],
        }),
      expected: [`${ID} → report`],
    },
    {
      name: 'does not count nbd-server sessions as a device in use',
      world: () => failover({ status: 'failed' }).patch('links', 'vol-web-0', { busy: ['open:812(nbd-server)'] }),
      expected: [`${ID} → run-failed-execution-cleanup`],
    },
    {
      name: 'ignores finished failovers',
      world: () => failover({ status: 'failed' }, { status: 'failed' }),
      expected: [],
    },
    {
      name: 'stands down without a complete database',
      world: () => failover({ status: 'failed' }).incomplete('database'),
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(stuckFailoverJob.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('runs the failed-execution cleanup for the context by VM name, destructively', () => {
    const [item] = stuckFailoverJob.diff(failover({ status: 'failed' }).build(), testPolicy(), NOW);
    expect(item?.actions).toEqual([
      {
        action: 'run-failed-execution-cleanup',
        params: { contextId: 'ctx-web', failoverJobId: 'fj-1', vmName: 'web' },
        destructive: true,
      },
    ]);
  });

  it('tells the operator how to request recovery of a live failover', () => {
    const [item] = stuckFailoverJob.diff(
      failover({ status: 'failed' }, { jobType: 'live' }).build(),
      testPolicy(),
      NOW,
    );
    expect(item?.note).toMatch(/never recovered automatically.*oma-reconciler cleanup request fj-1/);
  });
});
