import { describe, expect, it } from 'vitest';
import {
  analyseFailover,
  testVmUnix,
  type FailoverFacts,
} from '../../../src/workflows/failed-execution/analyse-failover.js';
import type { CsSnapshot, CsVirtualMachine, CsVolume } from '../../../src/world/world.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const CREATED = '2026-03-01T09:00:00.000Z';
const UNIX = Date.parse(CREATED) / 1000;
const OMA = 'oma-vm';

const vol = (id: string, vmId: string | null, deviceId: number | null = null, type = 'DATADISK'): CsVolume => ({
  id,
  name: `migration-web-web-disk-${id}`,
  type,
  state: 'Ready',
  sizeBytes: 1,
  virtualMachineId: vmId,
  vmName: null,
  vmState: null,
  deviceId,
  created: null,
  tags: {},
});
const snap = (id: string, volumeId: string, name: string, created: string, state = 'BackedUp'): CsSnapshot => ({
  id,
  name,
  volumeId,
  state,
  revertable: true,
  created,
});
const vm = (id: string, name: string, displayName: string | null, state = 'Running'): CsVirtualMachine => ({
  id,
  name,
  displayName,
  state,
  created: null,
});

function facts(over: Partial<FailoverFacts> = {}): FailoverFacts {
  return {
    omaVmId: OMA,
    context: { contextId: 'ctx-web', vmName: 'Web_01', currentStatus: 'failed_over_test' },
    failover: {
      jobId: 'fj-1',
      jobType: 'test',
      status: 'pending',
      destinationVmId: null,
      osseaSnapshotId: null,
      createdAt: CREATED,
      errorMessage: null,
    },
    tracking: { status: 'failed', currentStep: 'virtio-driver-injection' },
    otherDestinations: [],
    osseaVolumes: [
      { volumeId: 'v-os', volumeName: 'os', snapshotId: 's-os' },
      { volumeId: 'v-data', volumeName: 'data', snapshotId: null },
    ],
    csVolumes: [vol('v-os', OMA), vol('v-data', OMA)],
    csSnapshots: [snap('s-os', 'v-os', 'multi-test-failover-disk-2000-1', '2026-03-01T09:05:00Z')],
    csVms: [],
    ...over,
  };
}

describe('analyseFailover', () => {
  it('reverts each volume to the snapshot tracked in ossea_volumes, and warns about a volume with none', () => {
    const a = analyseFailover(facts(), NOW);
    expect(
      a.volumes.map((v) => [v.volumeId, v.revertTo?.id ?? null, v.revertTo?.source ?? null, v.attachedRole, v.problem]),
    ).toEqual([
      ['v-os', 's-os', 'ossea_volumes', 'oma', null],
      ['v-data', null, null, 'oma', null],
    ]);
    expect(a.warnings).toEqual([expect.stringContaining('volume v-data has no snapshot of this failover')]);
  });

  it('finds the snapshot a failover took but never recorded, by its name and time, and deletes every one of this failover after the revert', () => {
    const a = analyseFailover(
      facts({
        csSnapshots: [
          snap('s-os', 'v-os', 'multi-test-failover-disk-2000-1', '2026-03-01T09:05:00Z'),
          snap('s-data', 'v-data', 'multi-test-failover-disk-2001-1', '2026-03-01T09:06:00Z'),
          snap('s-old', 'v-data', 'multi-test-failover-disk-2001-0', '2026-02-01T09:06:00Z'),
          snap('s-manual', 'v-data', 'before-upgrade', '2026-03-01T09:07:00Z'),
        ],
      }),
      NOW,
    );
    const data = a.volumes.find((v) => v.volumeId === 'v-data');
    expect(data?.revertTo).toMatchObject({ id: 's-data', source: 'cloudstack' });
    // Neither an older failover's snapshot nor an operator's own is ours to delete.
    expect(data?.deleteAfterRevert).toEqual(['s-data']);
  });

  it('flags a tracked snapshot that is gone, failed, or older than the failover (a stale column) instead of reverting to it', () => {
    const gone = analyseFailover(facts({ csSnapshots: [] }), NOW).volumes[0];
    expect(gone?.problem).toContain('no longer exists in CloudStack');
    const failed = analyseFailover(
      facts({
        csSnapshots: [snap('s-os', 'v-os', 'multi-test-failover-disk-2000-1', '2026-03-01T09:05:00Z', 'Error')],
      }),
      NOW,
    ).volumes[0];
    expect(failed?.problem).toContain('in state Error');
    const stale = analyseFailover(
      facts({ csSnapshots: [snap('s-os', 'v-os', 'multi-test-failover-disk-2000-0', '2026-01-01T09:05:00Z')] }),
      NOW,
    ).volumes[0];
    expect(stale?.problem).toContain('before this failover started');
    expect(stale?.revertTo).toBeNull();
  });

  it('flags a volume CloudStack no longer has', () => {
    const a = analyseFailover(facts({ csVolumes: [vol('v-os', OMA)] }), NOW);
    expect(a.volumes[1]).toMatchObject({ exists: false, problem: 'volume v-data no longer exists in CloudStack' });
  });

  it("takes the destination VM, and a VM named like this failover's test VM, with its template ROOT volume — never the OMA, an older test VM, or another failover's", () => {
    const mine = vm('vm-new', `web-01-test-${UNIX + 60}`, `Web_01-test-${UNIX + 60}`, 'Stopped');
    const a = analyseFailover(
      facts({
        csVms: [
          mine,
          vm('vm-old', `web-01-test-${UNIX - 86400}`, null),
          vm('vm-other', `web-01-test-${UNIX + 90}`, null),
          vm(OMA, 'oma', null),
          vm('vm-prod', 'Web_01', 'Web_01'),
        ],
        otherDestinations: ['vm-other'],
        csVolumes: [vol('v-os', 'vm-new', 0), vol('v-data', null), vol('root-1', 'vm-new', 1, 'ROOT')],
      }),
      NOW,
    );
    expect(a.testVms).toEqual([
      {
        id: 'vm-new',
        name: mine.name,
        displayName: mine.displayName,
        state: 'Stopped',
        source: 'name',
        rootVolumeIds: ['root-1'],
      },
    ]);
    expect(a.volumes[0]).toMatchObject({ attachedTo: 'vm-new', attachedRole: 'test-vm', deviceId: 0 });
  });

  it("looks for a live failover's VM only by its destination id (its name is the production name)", () => {
    const a = analyseFailover(
      facts({
        failover: {
          jobId: 'fj-1',
          jobType: 'live',
          status: 'pending',
          destinationVmId: 'vm-live',
          osseaSnapshotId: null,
          createdAt: CREATED,
          errorMessage: null,
        },
        csVms: [vm('vm-live', 'web-01', 'Web_01'), vm('vm-name', `web-01-test-${UNIX + 60}`, null)],
      }),
      NOW,
    );
    expect(a.testVms.map((v) => [v.id, v.source])).toEqual([['vm-live', 'destination_vm_id']]);
  });
});

describe('testVmUnix', () => {
  it('recognises the sanitised name, and the display name when the 63-character cut removed the suffix', () => {
    expect(testVmUnix({ name: 'web-01-test-1772400000', displayName: null }, 'Web_01')).toBe(1772400000);
    const long = 'A'.repeat(60);
    const cut = `${'a'.repeat(60)}-te`;
    expect(testVmUnix({ name: cut, displayName: `${long}-test-1772400000` }, long)).toBe(1772400000);
    expect(testVmUnix({ name: 'web-02-test-1772400000', displayName: null }, 'Web_01')).toBeNull();
    expect(testVmUnix({ name: 'web-01', displayName: 'Web_01' }, 'Web_01')).toBeNull();
  });
});
