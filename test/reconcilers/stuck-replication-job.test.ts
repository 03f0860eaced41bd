import { describe, expect, it } from 'vitest';
import { stuckReplicationJob } from '../../reconcilers/stuck-replication-job.js';
import type { ReplicationJobRow } from '../../src/world/world.js';
import { ago, NOW, replicationJob, testPolicy, WorldBuilder } from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const ID = 'stuck-replication-job:replication-job:job-new';
/** ctx-web with a second job job-new that is its current job. */
const current = (fields: Partial<ReplicationJobRow>): WorldBuilder =>
  new WorldBuilder()
    .healthyContext('web', { status: 'replicating' })
    .add('replicationJobs', replicationJob('job-new', 'ctx-web', fields))
    .patch('contexts', 'ctx-web', { currentJobId: 'job-new' });

describe('stuck-replication-job', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    { name: 'reports nothing in a healthy world', world: () => new WorldBuilder().healthyContext('web'), expected: [] },
    {
      name: 'leaves a setup phase that moved recently alone',
      world: () => current({ status: 'attaching', updatedAt: ago(300) }),
      expected: [],
    },
    {
      name: 'fails a job stuck in a setup phase and clears it from the context',
      world: () => current({ status: 'attaching', updatedAt: ago(7200) }),
      expected: [`${ID} → mark-replication-job-failed, clear-current-job`],
    },
    {
      name: 'fails a stuck job without clearing when it is not the current job',
      world: () =>
        current({ status: 'provisioning', updatedAt: ago(7200) }).patch('contexts', 'ctx-web', { currentJobId: null }),
      expected: [`${ID} → mark-replication-job-failed`],
    },
    {
      name: 'clears current_job_id pointing at a finished job',
      world: () => current({ status: 'failed', updatedAt: ago(60), completedAt: ago(60) }),
      expected: [`${ID} → clear-current-job`],
    },
    {
      name: 'reports a replicating job without progress but does not touch it',
      world: () => current({ status: 'replicating', updatedAt: ago(7200), vmaLastPollAt: ago(7000) }),
      expected: [`${ID} → report`],
    },
    {
      name: 'counts a recent SNA poll as progress',
      world: () => current({ status: 'replicating', updatedAt: ago(7200), vmaLastPollAt: ago(20) }),
      expected: [],
    },
    {
      name: 'stands down without a complete database',
      world: () => current({ status: 'attaching', updatedAt: ago(7200) }).incomplete('database'),
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(stuckReplicationJob.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('records the phase it failed from and why', () => {
    const [item] = stuckReplicationJob.diff(
      current({ status: 'attaching', updatedAt: ago(7200) }).build(),
      testPolicy(),
      NOW,
    );
    expect(item?.actions[0]).toEqual({
      action: 'mark-replication-job-failed',
      params: {
        jobId: 'job-new',
        contextId: 'ctx-web',
        fromStatus: 'attaching',
        reason: 'stuck in setup phase attaching: no update for longer than 30m',
      },
      destructive: false,
    });
  });

  it('tells the operator how to request a cleanup for a stalled replication', () => {
    const [item] = stuckReplicationJob.diff(
      current({ status: 'replicating', updatedAt: ago(7200) }).build(),
      testPolicy(),
      NOW,
    );
    expect(item?.note).toContain('oma-reconciler cleanup request job-new');
  });
});
