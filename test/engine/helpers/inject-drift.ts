/**
 * Out-of-band changes that make a clean appliance drift, the way people, scripts and crashed
 * workflows do on a real OMA: rows edited or deleted in MariaDB, objects changed behind the
 * daemon's back in the simulator, conf.d files written or removed.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContextStatus } from '../../../src/db/schema-types.js';
import { writeApplianceExportFile } from '../../../src/appliance-world/appliance-env.js';
import { byIdPath as byIdPathOf } from '../../../src/world/by-id.js';
import type { WorldContext } from '../../../src/appliance-world/appliance-world.js';
import type { Harness } from './appliance-harness.js';

/** The first context of the world in `status` (the default world has one per status). */
export function contextIn(h: Harness, status: ContextStatus): WorldContext {
  const ctx = h.env.world.contexts.find((c) => c.status === status);
  if (!ctx) throw new Error(`the world has no context in ${status}`);
  return ctx;
}

/** `n` seconds before now. */
export function secondsAgo(n: number): Date {
  return new Date(Date.now() - n * 1000);
}

/** A test failover VM name for a context: `<vm>-test-<10-digit unix>`. */
export function testVmName(ctx: WorldContext, unix = 1_700_000_000): string {
  return `${ctx.vmName}-test-${unix}`;
}

/** The by-id path of a volume in this appliance. */
export function byIdPath(h: Harness, volumeId: string): string {
  return byIdPathOf(volumeId, h.env.dirs.byIdDir);
}

/** Deletes a VM context row; MariaDB cascades it to every row of that VM (oma-system.md §1.3). */
export async function deleteContext(h: Harness, contextId: string): Promise<void> {
  await h.db.db.deleteFrom('vm_replication_contexts').where('context_id', '=', contextId).execute();
}

/** Writes `conf.d/<name>.conf` the way the Volume Daemon does (no HUP: nbd-server 3.24 does not see it). */
export async function writeExportFile(h: Harness, name: string, exportname: string): Promise<string> {
  const path = join(h.env.dirs.confDir, `${name}.conf`);
  await writeApplianceExportFile(path, name, exportname);
  return path;
}

/** Removes `conf.d/<name>.conf` behind everyone's back. */
export async function removeExportFile(h: Harness, name: string): Promise<void> {
  await rm(join(h.env.dirs.confDir, `${name}.conf`));
}

/** Inserts an `nbd_exports` row as the Volume Daemon writes it. */
export async function insertNbdRow(
  h: Harness,
  row: { contextId: string | null; volumeId: string; exportName: string; devicePath: string },
): Promise<void> {
  await h.db.db
    .insertInto('nbd_exports')
    .values({
      vm_context_id: row.contextId,
      job_id: null,
      volume_id: row.volumeId,
      export_name: row.exportName,
      port: 10809,
      device_path: row.devicePath,
      config_path: join(h.env.dirs.confDir, `${row.exportName}.conf`),
      status: 'active',
      created_at: new Date(),
      updated_at: new Date(),
    })
    .execute();
}

/** Inserts a failover job and its `job_tracking` row (same id), as the unified failover engine does. */
export async function insertFailover(
  h: Harness,
  ctx: WorldContext,
  f: {
    status: 'pending' | 'completed';
    tracking: 'running' | 'failed' | 'completed';
    destinationVmId?: string | null;
    activityAt?: Date;
  },
): Promise<string> {
  const jobId = randomUUID();
  const at = f.activityAt ?? new Date();
  await h.db.db
    .insertInto('job_tracking')
    .values({
      id: jobId,
      job_type: 'failover',
      operation: 'unified-test-failover',
      status: f.tracking,
      started_at: at,
      created_at: at,
      updated_at: at,
      context_id: ctx.contextId,
      job_category: 'failover',
    })
    .execute();
  await h.db.db
    .insertInto('failover_jobs')
    .values({
      vm_context_id: ctx.contextId,
      job_id: jobId,
      vm_id: ctx.vmwareVmId,
      replication_job_id: ctx.replicationJobs.at(-1)?.id ?? null,
      job_type: 'test',
      status: f.status,
      source_vm_name: ctx.vmName,
      destination_vm_id: f.destinationVmId ?? null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return jobId;
}

/** Moves a quarantine tag `seconds` into the past in the simulator (as if that much time had passed). */
export function ageQuarantineTag(h: Harness, volumeId: string, seconds: number): void {
  const state = h.env.sim.state;
  const key = `Volume:${volumeId}`;
  const tags = state.tags.get(key) ?? [];
  const tag = tags.find((t) => t.key === 'oma-reconciler/quarantined-at');
  if (!tag) throw new Error(`volume ${volumeId} is not quarantined`);
  const older = new Date(Date.parse(tag.value) - seconds * 1000).toISOString();
  state.tags.set(
    key,
    tags.map((t) => (t === tag ? { ...t, value: older } : t)),
  );
  state.touch();
}

/** A fresh volume id (CloudStack UUID). */
export const newVolumeId = (): string => randomUUID();
