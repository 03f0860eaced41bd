import { describe, expect, it } from 'vitest';
import { orphanSnapshot } from '../../reconcilers/orphan-snapshot.js';
import type { CsSnapshot } from '../../src/world/world.js';
import {
  ago,
  failoverJob,
  jobTracking,
  ledger,
  NOW,
  testPolicy,
  WorldBuilder,
} from '../fixtures-world/world-builder.js';
import { summarize } from '../fixtures-world/summarize.js';

const snap = (id: string, fields: Partial<CsSnapshot> = {}): CsSnapshot => ({
  id,
  name: 'multi-test-failover-disk-2000-1772400000',
  volumeId: 'vol-web-0',
  state: 'BackedUp',
  revertable: true,
  created: ago(7200),
  ...fields,
});
const withSnap = (fields: Partial<CsSnapshot> = {}): WorldBuilder =>
  new WorldBuilder().healthyContext('web').add('snapshots', snap('snap-1', fields));

describe('orphan-snapshot', () => {
  const cases: { name: string; world: () => WorldBuilder; expected: string[] }[] = [
    { name: 'reports nothing in a healthy world', world: () => new WorldBuilder().healthyContext('web'), expected: [] },
    {
      name: 'deletes an unreferenced failover snapshot of our volume',
      world: () => withSnap(),
      expected: ['orphan-snapshot:snapshot:snap-1 → delete-snapshot'],
    },
    {
      name: 'deletes a legacy test-failover snapshot too',
      world: () => withSnap({ name: 'test-failover-4201-1772400000' }),
      expected: ['orphan-snapshot:snapshot:snap-1 → delete-snapshot'],
    },
    {
      name: 'leaves a snapshot referenced by ossea_volumes.snapshot_id alone',
      world: () => withSnap().patch('osseaVolumes', 'vol-web-0', { snapshotId: 'snap-1', snapshotStatus: 'ready' }),
      expected: [],
    },
    {
      name: 'leaves a snapshot referenced by failover_jobs.ossea_snapshot_id alone',
      world: () =>
        withSnap().add(
          'failoverJobs',
          failoverJob('fj-old', 'ctx-web', { status: 'completed', osseaSnapshotId: 'snap-1' }),
        ),
      expected: [],
    },
    { name: 'ignores snapshots with other names', world: () => withSnap({ name: 'nightly-backup' }), expected: [] },
    {
      name: 'ignores snapshots of volumes that are not ours',
      world: () => withSnap({ volumeId: 'someone-else' }),
      expected: [],
    },
    { name: 'ignores snapshots still being created', world: () => withSnap({ state: 'Creating' }), expected: [] },
    {
      name: 'does nothing while a failover of the context is running (the snapshot is referenced after it is created)',
      world: () =>
        withSnap()
          .add('failoverJobs', failoverJob('fj-1', 'ctx-web'))
          .add('jobTracking', jobTracking('fj-1', { currentStep: 'multi-volume-snapshot-creation' })),
      expected: [],
    },
    {
      name: 'deletes it when the context failover is stuck (tracking failed), not in flight',
      world: () =>
        withSnap()
          .add('failoverJobs', failoverJob('fj-1', 'ctx-web'))
          .add('jobTracking', jobTracking('fj-1', { status: 'failed' })),
      expected: ['orphan-snapshot:snapshot:snap-1 → delete-snapshot'],
    },
    {
      name: 'still finds snapshots of a ledger volume whose rows are gone',
      world: () =>
        new WorldBuilder()
          .add('ledger', ledger('volume', 'vol-gone'))
          .add('snapshots', snap('snap-2', { volumeId: 'vol-gone' })),
      expected: ['orphan-snapshot:snapshot:snap-2 → delete-snapshot'],
    },
    { name: 'stands down without a complete database', world: () => withSnap().incomplete('database'), expected: [] },
  ];
  it.each(cases)('$name', ({ world, expected }) => {
    expect(summarize(orphanSnapshot.diff(world().build(), testPolicy(), NOW))).toEqual(expected);
  });

  it('carries the snapshot and volume ids and holding ownership checks', () => {
    const [item] = orphanSnapshot.diff(withSnap().build(), testPolicy(), NOW);
    expect(item?.contextId).toBe('ctx-web');
    expect(item?.actions[0]).toEqual({
      action: 'delete-snapshot',
      params: { snapshotId: 'snap-1', volumeId: 'vol-web-0' },
      destructive: true,
      ownership: {
        inLedger: true,
        namedLikeOurs: true,
        noReferencingRow: true,
        notOmaRootVolume: true,
        notLiveFailoverVm: true,
      },
    });
  });

  it('fails the live-VM ownership check for a context failed over live (its only rollback point)', () => {
    const [item] = orphanSnapshot.diff(
      withSnap().patch('contexts', 'ctx-web', { currentStatus: 'failed_over_live' }).build(),
      testPolicy(),
      NOW,
    );
    expect(item?.actions[0]?.ownership?.notLiveFailoverVm).toBe(false);
    expect(item?.note).toMatch(/only rollback point/);
  });
});
