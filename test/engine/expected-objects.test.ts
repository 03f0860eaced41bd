/**
 * Which CloudStack objects the database expects now (issue 15, 6.1): those are confirmed by id when
 * a listing lacks them. History (a finished failover's destroyed test VM, a legacy snapshot column)
 * is not, or a healthy appliance would pay a lookup for it on every pass.
 */
import { describe, expect, it } from 'vitest';
import { expectedObjects } from '../../src/engine/expected-objects.js';
import { failoverJob, OMA_VM_ID, WorldBuilder } from '../fixtures-world/world-builder.js';

describe('the objects the database expects CloudStack to hold', () => {
  it('are the referenced volumes, tracked snapshots, the OMA VM, mapped VMs and the VMs of failovers under way', () => {
    const world = new WorldBuilder()
      .healthyContext('web')
      .healthyContext('db', { status: 'failed_over_test' })
      .add(
        'failoverJobs',
        failoverJob('fj-old', 'ctx-db', {
          status: 'completed',
          destinationVmId: 'tvm-old',
          osseaSnapshotId: 'snap-legacy',
        }),
      )
      .add('failoverJobs', failoverJob('fj-now', 'ctx-db', { status: 'pending', destinationVmId: 'tvm-now' }))
      .build();
    const db = {
      ...world.database,
      osseaVolumes: world.database.osseaVolumes.map((v) =>
        v.vmContextId === 'ctx-db' ? { ...v, snapshotId: 'snap-db-0' } : { ...v, snapshotId: '' },
      ),
      deviceMappings: world.database.deviceMappings.map((m) =>
        m.vmContextId === 'ctx-db' ? { ...m, vmId: 'tvm-now', operationMode: 'failover' as const } : m,
      ),
    };
    const expected = expectedObjects(db, OMA_VM_ID);
    expect([...new Set(expected.volumes)].sort()).toEqual(['vol-db-0', 'vol-web-0']);
    expect([...expected.snapshots]).toEqual(['snap-db-0']);
    expect([...new Set(expected.virtualMachines)].sort()).toEqual([OMA_VM_ID, 'tvm-now']);
  });
});
