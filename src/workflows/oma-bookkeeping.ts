/**
 * The database and nbd-server side of moving a volume, as the Volume Daemon records it (oma-system.md
 * §2.4): a detach deletes the volume's `device_mappings` row and marks `ossea_volumes` detached; an
 * attach to the OMA writes the `oma` mapping at the by-id path, marks the volume attached, and the
 * export `migration-vol-<uuid>` (conf file through the export manager + `nbd_exports` row).
 * Export changes only set `nbdTouched`: the pass applies them all with one reload at its end.
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema-types.js';
import type { ActuatorContext } from '../engine/actuators/actuator-context.js';
import { exportNameFor } from '../../reconcilers/lib/names.js';

/** After a detach: no mapping row, `ossea_volumes` detached with no device path. */
export async function recordDetached(db: Kysely<DB>, volumeId: string, now: Date): Promise<void> {
  await db.deleteFrom('device_mappings').where('volume_uuid', '=', volumeId).execute();
  await db.updateTable('ossea_volumes').set({ device_path: null, status: 'detached', updated_at: now }).where('volume_id', '=', volumeId).execute();
}

/** A volume now attached to the OMA. */
export interface OmaAttachment {
  readonly volumeId: string;
  readonly contextId: string;
  readonly omaVmId: string;
  readonly byIdPath: string;
  readonly sizeBytes: number;
}

/** After an attach to the OMA: the one `oma` mapping row at the by-id path, `ossea_volumes` attached. */
export async function recordAttachedToOma(db: Kysely<DB>, a: OmaAttachment, now: Date): Promise<void> {
  const row = {
    vm_context_id: a.contextId,
    vm_id: a.omaVmId,
    operation_mode: 'oma' as const,
    cloudstack_device_id: null,
    requires_device_correlation: 1,
    device_path: a.byIdPath,
    cloudstack_state: 'attached',
    linux_state: 'detected',
    size: a.sizeBytes,
    last_sync: now,
    updated_at: now,
  };
  const existing = await db.selectFrom('device_mappings').select('id').where('volume_uuid', '=', a.volumeId).execute();
  const [keep, ...extra] = existing;
  if (extra.length > 0) await db.deleteFrom('device_mappings').where('id', 'in', extra.map((r) => r.id)).execute();
  if (keep) await db.updateTable('device_mappings').set(row).where('id', '=', keep.id).execute();
  else await db.insertInto('device_mappings').values({ ...row, volume_uuid: a.volumeId, created_at: now }).execute();
  await db.updateTable('ossea_volumes').set({ device_path: a.byIdPath, status: 'attached', updated_at: now }).where('volume_id', '=', a.volumeId).execute();
}

/**
 * Writes (or re-asserts) the export of a volume on the OMA and its `active` row. Returns null when
 * done, or why the export manager refused it (nothing written).
 */
export async function ensureExport(ctx: ActuatorContext, db: Kysely<DB>, a: OmaAttachment, now: Date): Promise<string | null> {
  const name = exportNameFor(a.volumeId);
  const outcome = await ctx.nbd.addExport({ name, exportname: a.byIdPath });
  if (outcome.status === 'refused' || outcome.status === 'failed') return `export ${name}: ${outcome.reason}`;
  ctx.nbdTouched.value = true;
  const values = {
    vm_context_id: a.contextId,
    volume_id: a.volumeId,
    port: ctx.nbdPort,
    device_path: a.byIdPath,
    config_path: join(ctx.nbdConfDir, `${name}.conf`),
    status: 'active',
    updated_at: now,
  };
  const existing = await db.selectFrom('nbd_exports').select('id').where('export_name', '=', name).executeTakeFirst();
  if (existing) await db.updateTable('nbd_exports').set(values).where('id', '=', existing.id).execute();
  else await db.insertInto('nbd_exports').values({ ...values, export_name: name, job_id: null, created_at: now }).execute();
  return null;
}

/** Removes an export (file, authfile deny, backup) and its rows; throws when the manager refuses. */
export async function removeExport(ctx: ActuatorContext, db: Kysely<DB>, name: string): Promise<string> {
  const outcome = await ctx.nbd.removeExport(name);
  if (outcome.status === 'refused' || outcome.status === 'failed') throw new Error(`export ${name} was not removed: ${outcome.reason}`);
  ctx.nbdTouched.value = true;
  await db.deleteFrom('nbd_exports').where('export_name', '=', name).execute();
  return outcome.backup === undefined ? `removed export ${name}` : `removed export ${name} (backup ${outcome.backup})`;
}
