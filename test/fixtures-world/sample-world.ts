/**
 * A sample world with drift of every kind at once (and one healthy context), for gate, registry and
 * plan tests. Each drift is described next to the lines that create it.
 */
import {
  ago,
  BY_ID_DIR,
  CONF_DIR,
  context,
  csVolume,
  failoverJob,
  jobTracking,
  ledger,
  OMA_VM_ID,
  replicationJob,
  WorldBuilder,
} from './world-builder.js';

/** The builder of the sample world, so tests can break it further before `build()`. */
export function sampleWorld(): WorldBuilder {
  const b = new WorldBuilder()
    .healthyContext('ok', { disks: 2 })
    .healthyContext('web', { disks: 2 })
    .healthyContext('db');
  // orphan-volume: a ledger volume whose context was deleted, still on the OMA; and a name-only look-alike.
  b.add(
    'volumes',
    csVolume('vol-old', {
      name: 'migration-old-old-disk-0',
      virtualMachineId: OMA_VM_ID,
      vmName: 'oma-appliance',
      deviceId: 9,
    }),
  );
  b.add('ledger', ledger('volume', 'vol-old', 'ossea_volumes.volume_id of ctx-old'));
  // orphan-nbd-export: the deleted context's export file is still in conf.d (incident 22).
  b.add('configured', {
    name: 'migration-vol-vol-old',
    file: `${CONF_DIR}/migration-vol-vol-old.conf`,
    exportname: `${BY_ID_DIR}/virtio-volold`,
    authfile: null,
    managed: false,
    denied: false,
  });
  b.liveExports?.push('migration-vol-vol-old');
  b.add('volumes', csVolume('vol-lookalike', { name: 'migration-someone-else-disk-0' }));
  // missing-volume + orphan-row: vol-web-1 deleted in CloudStack by hand; its export file already removed.
  b.remove('volumes', 'vol-web-1').remove('configured', 'migration-vol-vol-web-1');
  // orphan-snapshot: a leftover failover snapshot of vol-ok-0.
  b.add('snapshots', {
    id: 'snap-1',
    name: 'multi-test-failover-disk-2000-1772300000',
    volumeId: 'vol-ok-0',
    state: 'BackedUp',
    revertable: true,
    created: ago(86400),
  });
  // volume-attachment + device-mapping: vol-db-0 detached but still mapped.
  b.patch('volumes', 'vol-db-0', { virtualMachineId: null, vmName: null, deviceId: null });
  // missing-nbd-export: vol-ok-1's export file vanished (still served → live-export-mismatch too).
  b.remove('configured', 'migration-vol-vol-ok-1');
  // stuck-replication-job: job-web-2 stuck in `attaching` for 2 h and current.
  b.add('replicationJobs', replicationJob('job-web-2', 'ctx-web', { status: 'attaching', updatedAt: ago(7200) }));
  b.patch('contexts', 'ctx-web', { currentJobId: 'job-web-2', currentStatus: 'replicating' });
  // stuck-failover-job: a test failover of ctx-app whose tracking row failed.
  b.add('contexts', context('ctx-app', { vmName: 'app', currentStatus: 'failed_over_test' }));
  b.add('failoverJobs', failoverJob('fj-app', 'ctx-app', { destinationVmId: 'tvm-app' }));
  b.add('jobTracking', jobTracking('fj-app', { status: 'failed', errorMessage: 'volume-attachment failed' }));
  b.add('vms', {
    id: 'tvm-app',
    name: 'app-test-1772300000',
    displayName: 'app-test-1772300000',
    state: 'Stopped',
    created: ago(86400),
  });
  // leftover-test-vm: ctx-ok's completed test failover left its VM.
  b.add('failoverJobs', failoverJob('fj-ok', 'ctx-ok', { status: 'completed', destinationVmId: 'tvm-ok' }));
  b.add('vms', {
    id: 'tvm-ok',
    name: 'ok-test-1772200000',
    displayName: 'ok-test-1772200000',
    state: 'Stopped',
    created: ago(172800),
  });
  b.add('ledger', ledger('vm', 'tvm-ok', 'failover_jobs.destination_vm_id of test failover fj-ok'));
  // cleanup-request: the operator asked to clean up ctx-db's job, keeping volumes.
  b.patch('replicationJobs', 'job-db', {
    status: 'failed',
    annotations: { 'oma-reconciler/cleanup': 'requested', 'oma-reconciler/keep-volumes': 'true' },
  });
  // Every drift has been seen for a day, so grace is not what the tests look at unless they say so.
  return b;
}

/** Marks every drift id of `ids` as first seen `secondsAgo` before NOW. */
export function seenLongAgo(b: WorldBuilder, ids: readonly string[], secondsAgo = 86_400): WorldBuilder {
  for (const id of ids) b.seen(id, ago(secondsAgo));
  return b;
}
