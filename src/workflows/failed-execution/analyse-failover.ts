/**
 * The pure half of the failed-execution analysis: from the facts of one failover (database rows and
 * what CloudStack lists) to the plan the steps follow. The same function serves the workflow (facts
 * read live) and `explain`/the status page (facts taken from a world snapshot).
 */
import type {
  ContextRow,
  CsSnapshot,
  CsVirtualMachine,
  CsVolume,
  FailoverJobRow,
  OsseaVolumeRow,
} from '../../world/world.js';
import { isFailoverSnapshotName, sanitizeVmName } from '../../../reconcilers/lib/names.js';
import type { AnalysedSnapshot, AnalysedVm, AnalysedVolume, FailoverAnalysis } from './failover-analysis.js';

/** Objects created this long before the failover row still count as its own (clock skew between OMA and CloudStack). */
const OWN_SLACK_MS = 5 * 60_000;

/** Everything the analysis needs; CloudStack lists may hold more than the context's objects. */
export interface FailoverFacts {
  readonly omaVmId: string | null;
  readonly context: Pick<ContextRow, 'contextId' | 'vmName' | 'currentStatus'>;
  readonly failover: Pick<
    FailoverJobRow,
    'jobId' | 'jobType' | 'status' | 'destinationVmId' | 'osseaSnapshotId' | 'createdAt' | 'errorMessage'
  >;
  /** The failover's own `job_tracking` row, when there is one. */
  readonly tracking: { readonly status: string; readonly currentStep: string | null } | null;
  /** Destination VMs of the context's other failover rows (never this failover's test VM). */
  readonly otherDestinations: readonly string[];
  readonly osseaVolumes: readonly Pick<OsseaVolumeRow, 'volumeId' | 'volumeName' | 'snapshotId'>[];
  readonly csVolumes: readonly CsVolume[];
  readonly csSnapshots: readonly CsSnapshot[];
  readonly csVms: readonly CsVirtualMachine[];
}

/**
 * The unix time in a test VM's name when it is `vmName`'s test VM (§4.7): name =
 * `SanitizeVMName(<vm>-test-<unix>)` or display name = `<vm>-test-<unix>` (the name may be truncated).
 */
export function testVmUnix(vm: Pick<CsVirtualMachine, 'name' | 'displayName'>, vmName: string): number | null {
  for (const text of [vm.name, vm.displayName ?? '']) {
    const unix = /-test-(\d{10})$/.exec(text)?.[1];
    if (
      unix !== undefined &&
      (vm.name === sanitizeVmName(`${vmName}-test-${unix}`) || vm.displayName === `${vmName}-test-${unix}`)
    ) {
      return Number(unix);
    }
  }
  return null;
}

function timeOf(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined || iso === '') return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/** The test VMs this failover made: its destination, or (test failovers only) named like it and not older than it. */
function findTestVms(f: FailoverFacts): AnalysedVm[] {
  const since = timeOf(f.failover.createdAt);
  const out: AnalysedVm[] = [];
  for (const vm of f.csVms) {
    if (vm.id === f.omaVmId || out.some((o) => o.id === vm.id)) continue;
    let source: AnalysedVm['source'] | null = null;
    if (vm.id === f.failover.destinationVmId) source = 'destination_vm_id';
    else if (f.failover.jobType === 'test' && !f.otherDestinations.includes(vm.id)) {
      const unix = testVmUnix(vm, f.context.vmName);
      if (unix !== null && (since === null || unix * 1000 >= since - OWN_SLACK_MS)) source = 'name';
    }
    if (source === null) continue;
    const ours = new Set(f.osseaVolumes.map((v) => v.volumeId));
    const rootVolumeIds = f.csVolumes
      .filter((v) => v.virtualMachineId === vm.id && v.type === 'ROOT' && !ours.has(v.id))
      .map((v) => v.id);
    out.push({ id: vm.id, name: vm.name, displayName: vm.displayName, state: vm.state, source, rootVolumeIds });
  }
  return out;
}

function analyseVolume(
  f: FailoverFacts,
  row: FailoverFacts['osseaVolumes'][number],
  testVmIds: ReadonlySet<string>,
  warnings: string[],
): AnalysedVolume {
  const cs = f.csVolumes.find((v) => v.id === row.volumeId) ?? null;
  const attachedTo = cs?.virtualMachineId ?? null;
  const attachedRole =
    attachedTo === null ? null : attachedTo === f.omaVmId ? 'oma' : testVmIds.has(attachedTo) ? 'test-vm' : 'other';
  const since = timeOf(f.failover.createdAt);
  const onVolume = f.csSnapshots.filter((s) => s.volumeId === row.volumeId);
  const tracked: { id: string; source: AnalysedSnapshot['source'] }[] = [];
  if (row.snapshotId !== null && row.snapshotId !== '') tracked.push({ id: row.snapshotId, source: 'ossea_volumes' });
  const legacy = f.failover.osseaSnapshotId;
  if (
    legacy !== null &&
    legacy !== '' &&
    onVolume.some((s) => s.id === legacy) &&
    !tracked.some((t) => t.id === legacy)
  ) {
    tracked.push({ id: legacy, source: 'failover_jobs' });
  }
  // Snapshots the failover took but died before recording: named like the engine's, not older than the failover.
  const discovered = onVolume.filter((s) => {
    const at = timeOf(s.created);
    return (
      !tracked.some((t) => t.id === s.id) &&
      isFailoverSnapshotName(s.name) &&
      (since === null || (at !== null && at >= since - OWN_SLACK_MS))
    );
  });
  let problem: string | null = null;
  let revertTo: AnalysedSnapshot | null = null;
  const first = tracked[0];
  if (first) {
    const snap = onVolume.find((s) => s.id === first.id);
    if (!snap) {
      problem = `its tracked snapshot ${first.id} (${first.source}) no longer exists in CloudStack, so it cannot be rolled back`;
    } else if (snap.state === 'Error') {
      problem = `its tracked snapshot ${snap.id} (${snap.name}) is in state Error and cannot be reverted`;
    } else if (since !== null && (timeOf(snap.created) ?? since) < since - OWN_SLACK_MS) {
      // A rollback point older than this failover would throw away everything replicated since (a stale tracking column).
      problem = `its tracked snapshot ${snap.id} (${snap.name}) was taken at ${snap.created ?? '?'}, before this failover started; reverting would discard later replicated data`;
    } else revertTo = { id: snap.id, name: snap.name, state: snap.state, source: first.source };
  } else {
    const oldest = [...discovered]
      .sort((a, b) => (timeOf(a.created) ?? 0) - (timeOf(b.created) ?? 0))
      .find((s) => s.state !== 'Error');
    if (oldest) revertTo = { id: oldest.id, name: oldest.name, state: oldest.state, source: 'cloudstack' };
  }
  if (!cs) problem = `volume ${row.volumeId} no longer exists in CloudStack`;
  if (revertTo === null && problem === null) {
    warnings.push(
      `volume ${row.volumeId} has no snapshot of this failover: it is reattached as it is, without a rollback`,
    );
  }
  const deleteAfterRevert =
    revertTo === null
      ? []
      : [
          ...new Set([
            ...tracked.map((t) => t.id).filter((id) => onVolume.some((s) => s.id === id)),
            ...discovered.map((s) => s.id),
          ]),
        ];
  return {
    volumeId: row.volumeId,
    name: cs?.name ?? row.volumeName ?? row.volumeId,
    exists: cs !== null,
    attachedTo,
    attachedRole,
    deviceId: cs?.deviceId ?? null,
    revertTo,
    deleteAfterRevert,
    problem,
  };
}

/** Builds the analysis of one failover from its facts. Pure. */
export function analyseFailover(f: FailoverFacts, now: Date): FailoverAnalysis {
  const warnings: string[] = [];
  const testVms = findTestVms(f);
  const testVmIds = new Set(testVms.map((v) => v.id));
  const volumes = f.osseaVolumes.map((row) => analyseVolume(f, row, testVmIds, warnings));
  if (f.omaVmId === null) warnings.push('the OMA VM id is unknown: volumes cannot be reattached');
  if (
    f.failover.destinationVmId !== null &&
    f.failover.destinationVmId !== '' &&
    !testVmIds.has(f.failover.destinationVmId)
  ) {
    warnings.push(`destination VM ${f.failover.destinationVmId} no longer exists in CloudStack`);
  }
  return {
    kind: 'failed-execution-cleanup',
    version: 1,
    analysedAt: now.toISOString(),
    contextId: f.context.contextId,
    vmName: f.context.vmName,
    contextStatus: f.context.currentStatus,
    omaVmId: f.omaVmId,
    failover: {
      jobId: f.failover.jobId,
      type: f.failover.jobType,
      status: f.failover.status,
      destinationVmId: f.failover.destinationVmId,
      createdAt: f.failover.createdAt === '' ? null : f.failover.createdAt,
      errorMessage: f.failover.errorMessage,
      trackingStatus: f.tracking?.status ?? null,
      trackingStep: f.tracking?.currentStep ?? null,
    },
    volumes,
    testVms,
    warnings,
  };
}
