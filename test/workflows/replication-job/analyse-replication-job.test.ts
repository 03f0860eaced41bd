import { describe, expect, it } from 'vitest';
import {
  analyseReplicationJob,
  recomputeContextStatus,
  type ReplicationFacts,
} from '../../../src/workflows/replication-job/analyse-replication-job.js';
import type { CsVolume } from '../../../src/world/world.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const OMA = 'oma-vm';
const vol = (id: string, vmId: string | null): CsVolume => ({
  id,
  name: `migration-web-web-disk-${id}`,
  type: 'DATADISK',
  state: 'Ready',
  sizeBytes: 1,
  virtualMachineId: vmId,
  vmName: null,
  vmState: null,
  deviceId: null,
  created: null,
  tags: {},
});

function facts(over: Partial<ReplicationFacts> = {}): ReplicationFacts {
  return {
    omaVmId: OMA,
    keepVolumes: false,
    job: {
      id: 'job-2',
      vmContextId: 'ctx-web',
      status: 'failed',
      replicationType: 'incremental',
      createdAt: '2026-02-28T00:00:00.000Z',
    },
    context: { contextId: 'ctx-web', vmName: 'web', currentStatus: 'failed' },
    contextJobs: [
      { id: 'job-1', status: 'completed', createdAt: '2026-02-20T00:00:00.000Z' },
      { id: 'job-2', status: 'failed', createdAt: '2026-02-28T00:00:00.000Z' },
    ],
    vmDisks: [
      { jobId: 'job-2', diskId: 'disk-2000', osseaVolumeId: '1' },
      { jobId: 'job-2', diskId: 'disk-2001', osseaVolumeId: '2' },
    ],
    osseaVolumes: [
      { id: '1', volumeId: 'v-os', volumeName: 'os' },
      { id: '2', volumeId: 'v-data', volumeName: 'data' },
    ],
    nbdExports: [
      { jobId: 'job-2', volumeId: 'v-os', exportName: 'migration-vol-v-os' },
      { jobId: 'job-2', volumeId: 'v-data', exportName: 'migration-vol-v-data' },
    ],
    deviceMappingVolumes: ['v-os', 'v-data'],
    referencingFailovers: [],
    csVolumes: [vol('v-os', OMA), vol('v-data', OMA)],
    ...over,
  };
}

describe('analyseReplicationJob', () => {
  it('keeps the volumes and their exports when an earlier job completed, and the context reads ready_for_failover again', () => {
    const a = analyseReplicationJob(facts(), NOW);
    expect(a).toMatchObject({
      deleteVolumes: false,
      otherCompletedJobs: ['job-1'],
      newestOtherJobId: 'job-1',
      recomputedStatus: 'ready_for_failover',
    });
    expect(a.keepReason).toBe("job job-1 of the context completed: the volumes hold the VM's good replica");
    expect(a.volumes.map((v) => [v.volumeId, v.diskId, v.attachedRole])).toEqual([
      ['v-os', 'disk-2000', 'oma'],
      ['v-data', 'disk-2001', 'oma'],
    ]);
    expect(a.exports.every((e) => e.keep)).toBe(true);
  });

  it('deletes every volume of the context for a failed first replication, and removes the exports', () => {
    const a = analyseReplicationJob(facts({ contextJobs: [{ id: 'job-2', status: 'failed', createdAt: null }] }), NOW);
    expect(a).toMatchObject({
      deleteVolumes: true,
      keepReason: null,
      recomputedStatus: 'discovered',
      newestOtherJobId: null,
    });
    expect(a.exports.map((e) => [e.name, e.keep])).toEqual([
      ['migration-vol-v-os', false],
      ['migration-vol-v-data', false],
    ]);
    expect(a.rows).toEqual({ vmDisks: 2, nbdExports: 2, failoverJobs: 0, deviceMappings: 2, osseaVolumes: 2 });
  });

  it('keeps the volumes on keep-volumes but removes their exports when the context is no longer exported', () => {
    const a = analyseReplicationJob(
      facts({ keepVolumes: true, contextJobs: [{ id: 'job-2', status: 'failed', createdAt: null }] }),
      NOW,
    );
    expect(a).toMatchObject({
      deleteVolumes: false,
      keepReason: 'keep-volumes was requested',
      recomputedStatus: 'discovered',
    });
    expect(a.exports.some((e) => e.keep)).toBe(false);
  });

  it('owns no volume when its disks moved on to a newer job, and warns about a volume to delete that sits on another VM', () => {
    const older = analyseReplicationJob(
      facts({
        job: { id: 'job-0', vmContextId: 'ctx-web', status: 'failed', replicationType: 'initial', createdAt: null },
        contextJobs: [
          { id: 'job-0', status: 'failed', createdAt: null },
          { id: 'job-2', status: 'failed', createdAt: null },
        ],
      }),
      NOW,
    );
    expect(older.volumes).toEqual([]);
    const elsewhere = analyseReplicationJob(
      facts({
        contextJobs: [{ id: 'job-2', status: 'failed', createdAt: null }],
        csVolumes: [vol('v-os', 'test-vm'), vol('v-data', OMA)],
      }),
      NOW,
    );
    expect(elsewhere.warnings).toEqual(['volume v-os is attached to VM test-vm, not the OMA: it is not deleted']);
  });

  it('leaves the status of a failed-over or cleanup_required context alone', () => {
    expect(
      analyseReplicationJob(
        facts({ context: { contextId: 'ctx-web', vmName: 'web', currentStatus: 'cleanup_required' } }),
        NOW,
      ).recomputedStatus,
    ).toBeNull();
  });
});

describe('recomputeContextStatus', () => {
  it('follows the newest remaining job, as the appliance recomputes it', () => {
    expect(recomputeContextStatus([])).toBe('discovered');
    expect(
      recomputeContextStatus([
        { status: 'failed', createdAt: '2026-01-01' },
        { status: 'completed', createdAt: '2026-02-01' },
      ]),
    ).toBe('ready_for_failover');
    expect(
      recomputeContextStatus([
        { status: 'completed', createdAt: '2026-01-01' },
        { status: 'failed', createdAt: '2026-02-01' },
      ]),
    ).toBe('failed');
    expect(recomputeContextStatus([{ status: 'replicating', createdAt: '2026-02-01' }])).toBe('replicating');
  });
});
