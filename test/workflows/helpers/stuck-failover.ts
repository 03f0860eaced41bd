/**
 * Turns a completed test failover of the world into one that died at a given point, in the database
 * and in the simulator, the way the unified failover engine leaves things (oma-system.md §4.1): the
 * `failover_jobs` row stays `pending`, its job stops at a step, volumes are wherever that step left
 * them, the snapshots exist, and a test VM exists from `vm-creation` on.
 */
import { sql } from 'kysely';
import { writeApplianceExportFile } from '../../../src/appliance-world/appliance-env.js';
import type { WorldContext, WorldFailover } from '../../../src/appliance-world/appliance-world.js';
import type { WorkflowHarness } from './workflow-harness.js';
import { FAILOVER_STEPS } from '../../../src/appliance-world/failover-steps.js';

/** What shaping a stuck failover needs of a harness (the workflow harness, or the engine's appliance harness). */
export type StuckFailoverHost = Pick<WorkflowHarness, 'db' | 'env' | 'omaVmId'>;

/** Where the failover died (the five stuck test failovers of the seed). */
export type StuckStage =
  'after-snapshot' | 'after-vm-creation' | 'after-volume-moves' | 'during-virtio' | 'after-start';
export const STUCK_STAGES: readonly StuckStage[] = [
  'after-snapshot',
  'after-vm-creation',
  'after-volume-moves',
  'during-virtio',
  'after-start',
];

const STEPS: readonly string[] = FAILOVER_STEPS.test;
/** The step each stage died in (it is the last step row; earlier ones completed). */
const DIED_IN: Readonly<Record<StuckStage, string>> = {
  'after-snapshot': 'virtio-driver-injection',
  'during-virtio': 'virtio-driver-injection',
  'after-vm-creation': 'volume-attachment',
  'after-volume-moves': 'vm-startup-and-validation',
  'after-start': 'vm-startup-and-validation',
};
const GIB = 1024 ** 3;

/** What a stuck failover looks like, for the assertions. */
export interface StuckFailover {
  readonly context: WorldContext;
  readonly failover: WorldFailover;
  readonly stage: StuckStage;
  /** The test VM CloudStack holds (null when the failover died before creating it). */
  readonly testVmId: string | null;
  /** The test VM's own template ROOT volume (only after vm-creation, before the moves). */
  readonly templateRootId: string | null;
  /** Volume → the size the snapshot restores (volumes the failover wrote to after its snapshot). */
  readonly written: ReadonlyMap<string, number>;
}

/** Puts the context's volumes back on the OMA, as they were before the failover moved them (mappings already switched to `failover`). */
async function volumesOnOma(h: StuckFailoverHost, ctx: WorldContext): Promise<void> {
  const db = h.db.db;
  const jobId = ctx.replicationJobs.at(-1)?.id ?? null;
  for (const v of ctx.volumes) {
    h.env.sim.state.attachVolume(v.volumeId, h.omaVmId);
    await db.deleteFrom('device_mappings').where('volume_uuid', '=', v.volumeId).execute();
    await db
      .insertInto('device_mappings')
      .values({
        vm_context_id: ctx.contextId,
        volume_uuid: v.volumeId,
        vm_id: h.omaVmId,
        operation_mode: 'failover',
        requires_device_correlation: 1,
        device_path: v.byIdPath,
        cloudstack_state: 'attached',
        linux_state: 'detected',
        size: v.sizeBytes,
      })
      .execute();
    await db
      .updateTable('ossea_volumes')
      .set({ device_path: v.byIdPath, status: 'attached' })
      .where('volume_id', '=', v.volumeId)
      .execute();
    const name = `migration-vol-${v.volumeId}`;
    const configPath = `${h.env.dirs.confDir}/${name}.conf`;
    await db
      .insertInto('nbd_exports')
      .values({
        vm_context_id: ctx.contextId,
        job_id: jobId,
        volume_id: v.volumeId,
        export_name: name,
        port: h.env.nbdPort,
        device_path: v.byIdPath,
        config_path: configPath,
        status: 'active',
      })
      .execute();
    await writeApplianceExportFile(configPath, name, v.byIdPath);
  }
}

/** Makes the volume differ from its snapshot (the test VM or virt-v2v wrote to it); returns the size a revert restores. */
function write(h: StuckFailoverHost, volumeId: string): number {
  const volume = h.env.sim.state.volumes.get(volumeId);
  if (!volume) throw new Error(`no volume ${volumeId}`);
  const before = volume.sizeBytes;
  volume.sizeBytes = before + GIB;
  h.env.sim.state.touch();
  return before;
}

/** Shapes context `ctx` (a completed failover of the world, test or live) into a failover stuck at `stage`. */
export async function makeStuckFailover(
  h: StuckFailoverHost,
  ctx: WorldContext,
  stage: StuckStage,
): Promise<StuckFailover> {
  const failover = ctx.failover;
  if (!failover) throw new Error(`context ${ctx.vmName} has no failover`);
  if (failover.type === 'live' && (stage === 'after-snapshot' || stage === 'during-virtio')) {
    throw new Error('live failovers are shaped only after their VM exists');
  }
  const db = h.db.db;
  const sim = h.env.sim.state;
  const vmId = failover.destinationVm.id;
  const diedIn = DIED_IN[stage];
  const last = STEPS.indexOf(diedIn) + 1;
  await db.deleteFrom('job_steps').where('job_id', '=', failover.jobId).where('seq', '>', last).execute();
  await db.deleteFrom('log_events').where('job_id', '=', failover.jobId).execute();
  const running = stage === 'during-virtio';
  await db
    .updateTable('job_steps')
    .set({
      status: running ? 'running' : 'failed',
      completed_at: running ? null : sql<Date>`started_at`,
      error_message: running ? null : `${diedIn} failed`,
    })
    .where('job_id', '=', failover.jobId)
    .where('seq', '=', last)
    .execute();
  await db
    .updateTable('job_tracking')
    .set({
      status: running ? 'running' : 'failed',
      completed_at: null,
      percent_complete: Math.round((last / STEPS.length) * 100),
      error_message: running ? null : `${diedIn} failed`,
    })
    .where('id', '=', failover.jobId)
    .execute();
  const hasVm = stage !== 'after-snapshot' && stage !== 'during-virtio';
  await db
    .updateTable('failover_jobs')
    .set({ status: 'pending', completed_at: null, destination_vm_id: hasVm ? vmId : null })
    .where('job_id', '=', failover.jobId)
    .execute();

  let templateRootId: string | null = null;
  const written = new Map<string, number>();
  const os = ctx.volumes.find((v) => v.isOsDisk);
  const data = ctx.volumes.find((v) => !v.isOsDisk);
  if (!os || !data) throw new Error('the context needs an OS disk and a data disk');
  if (!hasVm) {
    sim.removeVirtualMachine(vmId);
    await volumesOnOma(h, ctx);
    // virt-v2v rewrote the OS disk in place on the OMA before it hung or failed.
    written.set(os.volumeId, write(h, os.volumeId));
  } else if (stage === 'after-vm-creation') {
    for (const v of ctx.volumes) sim.detachVolume(v.volumeId);
    await volumesOnOma(h, ctx);
    sim.setVmState(vmId, 'Stopped');
    templateRootId = sim.addVolume({
      name: `ROOT-${sim.getVirtualMachine(vmId)?.internalId ?? 0}`,
      type: 'ROOT',
      virtualMachineId: vmId,
      deviceId: 0,
    }).id;
    written.set(os.volumeId, write(h, os.volumeId));
  } else if (stage === 'after-volume-moves') {
    sim.setVmState(vmId, 'Stopped');
    written.set(os.volumeId, write(h, os.volumeId));
  } else {
    // Started: the guest wrote to its disks before validation failed.
    written.set(os.volumeId, write(h, os.volumeId));
    written.set(data.volumeId, write(h, data.volumeId));
  }
  await h.env.syncDevices();
  return { context: ctx, failover, stage, testVmId: hasVm ? vmId : null, templateRootId, written };
}
