import { describe, expect, it } from 'vitest';
import { analyseFailover } from '../../src/workflows/failed-execution/analyse-failover.js';
import { parseWorkflowAnalysis, plannedSteps, previewCleanup } from '../../src/workflows/index.js';
import { analyseReplicationJob } from '../../src/workflows/replication-job/analyse-replication-job.js';
import type { World } from '../../src/world/world.js';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('plannedSteps', () => {
  it('describes both workflows in general without an analysis, with the safety rules spelled out', () => {
    const failover = plannedSteps('failed-execution-cleanup');
    expect(failover).toHaveLength(9);
    expect(failover[4]).toContain('only after its revert succeeded');
    expect(failover[5]).toContain('once none of the volumes is attached to it');
    const job = plannedSteps('replication-job-cleanup');
    expect(job).toHaveLength(5);
    expect(job[2]).toContain('unless keep-volumes is set or an earlier job of the VM completed');
  });

  it('names the test VM, volumes, snapshots and the OMA for one failover', () => {
    const a = analyseFailover(
      {
        omaVmId: 'oma-vm',
        context: { contextId: 'ctx-web', vmName: 'web', currentStatus: 'failed_over_test' },
        failover: {
          jobId: 'fj-1',
          jobType: 'test',
          status: 'pending',
          destinationVmId: 'tvm',
          osseaSnapshotId: null,
          createdAt: '2026-03-01T09:00:00Z',
          errorMessage: null,
        },
        tracking: { status: 'failed', currentStep: 'vm-startup-and-validation' },
        otherDestinations: [],
        osseaVolumes: [{ volumeId: 'v-os', volumeName: 'os', snapshotId: 's-os' }],
        csVolumes: [
          {
            id: 'v-os',
            name: 'migration-web-web-disk-0',
            type: 'DATADISK',
            state: 'Ready',
            sizeBytes: 1,
            virtualMachineId: 'tvm',
            vmName: null,
            vmState: null,
            deviceId: 0,
            created: null,
            tags: {},
          },
        ],
        csSnapshots: [
          {
            id: 's-os',
            name: 'multi-test-failover-disk-2000-1',
            volumeId: 'v-os',
            state: 'BackedUp',
            revertable: true,
            created: '2026-03-01T09:05:00Z',
          },
        ],
        csVms: [
          {
            id: 'tvm',
            name: 'web-test-1772355600',
            displayName: 'web-test-1772355600',
            state: 'Running',
            created: null,
          },
        ],
      },
      NOW,
    );
    expect(plannedSteps('failed-execution-cleanup', a)).toEqual([
      'Analyse failover fj-1 of web (test, pending, stopped in vm-startup-and-validation)',
      'Stop test VM web-test-1772355600 (tvm), now Running: gracefully, forced after a timeout',
      'Detach volume migration-web-web-disk-0 from VM tvm',
      'Revert volume migration-web-web-disk-0 to snapshot s-os (multi-test-failover-disk-2000-1)',
      'Delete snapshot s-os of migration-web-web-disk-0 only after its revert succeeded (a failed revert keeps it and marks the VM cleanup_required)',
      'Destroy (expunge) test VM web-test-1772355600 (tvm) once none of the volumes is attached to it',
      'Reattach 1 volumes to the OMA VM oma-vm, wait for their by-id links, restore their oma device mappings and NBD exports (one nbd-server reload)',
      'Mark failover fj-1 failed, end its job_tracking row, clear the snapshot tracking, set web ready_for_failover with no current job',
      'Validate web against the desired state and report what does not hold',
    ]);
    // A recorded analysis read back from the request record's JSON gives the same steps.
    expect(plannedSteps('failed-execution-cleanup', parseWorkflowAnalysis(JSON.parse(JSON.stringify(a))))).toEqual(
      plannedSteps('failed-execution-cleanup', a),
    );
  });

  it("says whether a replication job's volumes are deleted or kept, and why", () => {
    const a = analyseReplicationJob(
      {
        omaVmId: 'oma-vm',
        keepVolumes: false,
        job: { id: 'job-1', vmContextId: 'ctx-web', status: 'failed', replicationType: 'initial', createdAt: null },
        context: { contextId: 'ctx-web', vmName: 'web', currentStatus: 'failed' },
        contextJobs: [{ id: 'job-1', status: 'failed', createdAt: null }],
        vmDisks: [{ jobId: 'job-1', diskId: 'disk-2000', osseaVolumeId: '1' }],
        osseaVolumes: [{ id: '1', volumeId: 'v-os', volumeName: 'os' }],
        nbdExports: [{ jobId: 'job-1', volumeId: 'v-os', exportName: 'migration-vol-v-os' }],
        deviceMappingVolumes: ['v-os'],
        referencingFailovers: [],
        csVolumes: [
          {
            id: 'v-os',
            name: 'migration-web-web-disk-0',
            type: 'DATADISK',
            state: 'Ready',
            sizeBytes: 1,
            virtualMachineId: 'oma-vm',
            vmName: null,
            vmState: null,
            deviceId: 1,
            created: null,
            tags: {},
          },
        ],
      },
      NOW,
    );
    expect(plannedSteps('replication-job-cleanup', a)).toEqual([
      'Analyse replication job job-1 (initial, failed) of web',
      'Remove NBD export migration-vol-v-os (backup kept; one nbd-server reload)',
      'Detach volume migration-web-web-disk-0 (v-os) from the OMA and delete it',
      'Delete job job-1 with 1 disk rows and 1 export rows, null 0 failover references, delete the rows of 1 volumes, clear current_job_id, set the VM discovered',
      'Validate that no orphan row, export, mapping or volume of the job remains',
    ]);
    expect(plannedSteps('failed-execution-cleanup', a)).toEqual(plannedSteps('failed-execution-cleanup'));
  });

  it('gives nothing to preview for a job the world does not hold', () => {
    const world = {
      observedAt: NOW.toISOString(),
      database: { failoverJobs: [], contexts: [], replicationJobs: [] },
    } as unknown as World;
    expect(previewCleanup(world, { kind: 'failed-execution-cleanup', failoverJobId: 'nope' })).toBeNull();
    expect(previewCleanup(world, { kind: 'replication-job-cleanup', jobId: 'nope', keepVolumes: false })).toBeNull();
    expect(parseWorkflowAnalysis({ kind: 'something-else' })).toBeNull();
  });
});
