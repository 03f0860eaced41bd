import { describe, expect, it } from 'vitest';
import { cleanupRequest } from '../../reconcilers/cleanup-request.js';
import type { CleanupRequestRecord } from '../../src/world/world.js';
import {
  ago,
  failoverJob,
  jobTracking,
  NOW,
  replicationJob,
  testPolicy,
  WorldBuilder,
} from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const RJ = 'cleanup-request:replication-job:job-web';
const FJ = 'cleanup-request:failover-job:fj-1';
const requested = (extra: Record<string, string> = {}): Record<string, string> => ({
  'oma-reconciler/cleanup': 'requested',
  ...extra,
});
const onJob = (annotations: Record<string, string>): WorldBuilder =>
  new WorldBuilder().healthyContext('web').patch('replicationJobs', 'job-web', { annotations });
const record = (
  status: CleanupRequestRecord['status'],
  fields: Partial<CleanupRequestRecord> = {},
): CleanupRequestRecord => ({
  jobId: 'job-web',
  jobKind: 'replication',
  status,
  message: null,
  requestedBy: 'alice',
  keepVolumes: false,
  updatedAt: ago(60),
  ...fields,
});
const onFailover = (trackingStatus: string): WorldBuilder =>
  new WorldBuilder()
    .healthyContext('web', { status: 'failed_over_test' })
    .add('failoverJobs', failoverJob('fj-1', 'ctx-web', { annotations: requested() }))
    .add('jobTracking', jobTracking('fj-1', { status: trackingStatus }));

describe('cleanup-request', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    {
      name: 'reports nothing without annotations',
      world: () => new WorldBuilder().healthyContext('web'),
      expected: [],
    },
    {
      name: 'runs the replication job cleanup on request',
      world: () => onJob(requested()),
      expected: [`${RJ} → run-replication-job-cleanup`],
    },
    {
      name: 'resumes a request already accepted',
      world: () => onJob(requested()).add('cleanupRequests', record('running')),
      expected: [`${RJ} → run-replication-job-cleanup`],
    },
    {
      name: 'ignores a request that is done',
      world: () => onJob(requested()).add('cleanupRequests', record('done')),
      expected: [],
    },
    {
      name: 'ignores a request already refused (status written back on the row)',
      world: () => onJob(requested({ 'oma-reconciler/cleanup-status': 'refused' })),
      expected: [],
    },
    {
      name: 'refuses an invalid annotation value',
      world: () => onJob({ 'oma-reconciler/cleanup': 'yes please' }),
      expected: [`${RJ} → refuse-cleanup-request`],
    },
    {
      name: 'refuses an unclear keep-volumes value instead of guessing',
      world: () => onJob(requested({ 'oma-reconciler/keep-volumes': 'yes' })),
      expected: [`${RJ} → refuse-cleanup-request`],
    },
    {
      name: 'refuses while the job is genuinely active',
      world: () =>
        onJob({}).add(
          'replicationJobs',
          replicationJob('job-2', 'ctx-web', { status: 'replicating', updatedAt: ago(30), annotations: requested() }),
        ),
      expected: ['cleanup-request:replication-job:job-2 → refuse-cleanup-request'],
    },
    {
      name: 'accepts a request for a job that stalled',
      world: () =>
        onJob({}).add(
          'replicationJobs',
          replicationJob('job-2', 'ctx-web', { status: 'replicating', updatedAt: ago(7200), annotations: requested() }),
        ),
      expected: ['cleanup-request:replication-job:job-2 → run-replication-job-cleanup'],
    },
    {
      name: 'refuses an old job while another replication of the context is active',
      world: () =>
        onJob(requested()).add(
          'replicationJobs',
          replicationJob('job-2', 'ctx-web', { status: 'replicating', updatedAt: ago(30) }),
        ),
      expected: [`${RJ} → refuse-cleanup-request`],
    },
    {
      name: 'refuses while a failover of the context is in flight',
      world: () =>
        onJob(requested()).add('failoverJobs', failoverJob('fj-9', 'ctx-web')).add('jobTracking', jobTracking('fj-9')),
      expected: [`${RJ} → refuse-cleanup-request`],
    },
    {
      name: 'refuses while the context is failed over',
      world: () => onJob(requested()).patch('contexts', 'ctx-web', { currentStatus: 'failed_over_live' }),
      expected: [`${RJ} → refuse-cleanup-request`],
    },
    {
      name: 'runs the failed-execution cleanup for a dead failover',
      world: () => onFailover('failed'),
      expected: [`${FJ} → run-failed-execution-cleanup`],
    },
    {
      name: 'refuses a failover that is still running',
      world: () => onFailover('running'),
      expected: [`${FJ} → refuse-cleanup-request`],
    },
    {
      name: 'refuses a completed live failover',
      world: () => onFailover('completed').patch('failoverJobs', 'fj-1', { jobType: 'live', status: 'completed' }),
      expected: [`${FJ} → refuse-cleanup-request`],
    },
    {
      name: 'accepts a stuck live failover on explicit request',
      world: () => onFailover('failed').patch('failoverJobs', 'fj-1', { jobType: 'live' }),
      expected: [`${FJ} → run-failed-execution-cleanup`],
    },
    {
      name: 'stands down without a complete database',
      world: () => onJob(requested()).incomplete('database'),
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(cleanupRequest.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('honours keep-volumes from the annotation', () => {
    const [item] = cleanupRequest.diff(
      onJob(requested({ 'oma-reconciler/keep-volumes': 'true' })).build(),
      testPolicy(),
      NOW,
    );
    expect(item?.actions).toEqual([
      {
        action: 'run-replication-job-cleanup',
        params: { contextId: 'ctx-web', jobId: 'job-web', keepVolumes: true },
        destructive: true,
      },
    ]);
  });

  it('honours keep-volumes from the request record', () => {
    const [item] = cleanupRequest.diff(
      onJob(requested())
        .add('cleanupRequests', record('accepted', { keepVolumes: true }))
        .build(),
      testPolicy(),
      NOW,
    );
    expect(item?.actions[0]).toMatchObject({ params: { keepVolumes: true } });
  });

  it('writes the refusal reason into the action', () => {
    const [item] = cleanupRequest.diff(onJob({ 'oma-reconciler/cleanup': 'now' }).build(), testPolicy(), NOW);
    expect(item?.actions[0]).toEqual({
      action: 'refuse-cleanup-request',
      params: {
        jobId: 'job-web',
        table: 'replication_jobs',
        reason: 'invalid oma-reconciler/cleanup value "now" (expected "requested")',
      },
      destructive: false,
    });
  });
});
