/**
 * What `undo` re-checks against live state before it acts (issue 15): the action must still be the
 * latest one on its subject and still be reversible now. Each refusal is a sentence that says what
 * changed since — never a raw CloudStack or SQL error half-way through.
 */
import { access } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import { CloudStackHttpError } from '../cloudstack/errors.js';
import type { DB } from '../db/schema-types.js';
import { QUARANTINE_TAG } from '../../reconcilers/lib/names.js';
import type { EngineDeps } from './engine-deps.js';

/** The audit record an undo starts from (the columns these checks read). */
export interface UndoneRecord {
  readonly id: string;
  readonly action: string;
  readonly subject_type: string;
  readonly subject_id: string;
  /** Actions of the same pass were decided together with it: they are not "later". */
  readonly pass_id: string;
  readonly created_at: Date;
}

const ROW_TABLES = new Set(['device_mappings', 'nbd_exports', 'vm_export_mappings', 'ossea_volumes']);

/** A later action on the same subject (not an undo), or null. */
async function laterAction(db: Kysely<DB>, record: UndoneRecord): Promise<string | null> {
  const { rows } = await sql<{ id: string | number; action: string; outcome: string; created_at: Date }>`
    select id, action, outcome, created_at from oma_reconciler_actions
    where subject_id = ${record.subject_id} and id > ${record.id} and pass_id <> ${record.pass_id} and undo_of is null
      and outcome in ('success', 'pending', 'abandoned')
    order by id limit 1`.execute(db);
  const later = rows[0];
  if (!later) return null;
  return (
    `action ${record.id} (${record.action}) is no longer the latest on ${record.subject_type} ${record.subject_id}: ` +
    `action ${String(later.id)} (${later.action}, ${later.outcome}) came after it at ${later.created_at.toISOString()}`
  );
}

async function quarantineChanged(deps: EngineDeps, data: Record<string, unknown>): Promise<string | null> {
  const volumeId = String(data.volumeId);
  const { client } = await deps.cloudstack();
  const listed = await client.listVolumes({ listAll: true, id: volumeId });
  const gone =
    (!listed.complete && listed.cause instanceof CloudStackHttpError && listed.cause.status === 431) ||
    (listed.complete && !listed.items.some((v) => v.id === volumeId));
  if (gone) {
    return `volume ${volumeId} no longer exists in CloudStack (deleted since the quarantine); there is nothing to give back`;
  }
  if (!listed.complete) {
    return `cannot tell whether volume ${volumeId} is still quarantined: ${listed.error ?? 'incomplete answer'}`;
  }
  const volume = listed.items.find((v) => v.id === volumeId);
  if (volume && volume.tags[QUARANTINE_TAG] === undefined) {
    return `volume ${volumeId} no longer carries the ${QUARANTINE_TAG} tag (it was removed since)`;
  }
  if (volume?.virtualMachineId != null) return `volume ${volumeId} is attached to ${volume.virtualMachineId} again`;
  const from = typeof data.detachedFrom === 'string' ? data.detachedFrom : null;
  if (from !== null) {
    const vms = await client.listVirtualMachines({ listAll: true, id: from });
    const vmGone =
      (!vms.complete && vms.cause instanceof CloudStackHttpError && vms.cause.status === 431) ||
      (vms.complete && !vms.items.some((v) => v.id === from));
    if (vmGone) {
      return `VM ${from} the volume was detached from no longer exists; the volume cannot be reattached there`;
    }
  }
  return null;
}

async function exportChanged(deps: EngineDeps, data: Record<string, unknown>): Promise<string | null> {
  const name = String(data.exportName);
  const row = await deps.database.db
    .selectFrom('nbd_exports')
    .select(['id', 'device_path'])
    .where('export_name', '=', name)
    .executeTakeFirst();
  if (row) {
    return `export ${name} has an nbd_exports row again (row ${row.id}, ${row.device_path}); it was recreated since`;
  }
  if (typeof data.backup === 'string') {
    const backup = data.backup;
    const missing = await access(backup).then(
      () => false,
      () => true,
    );
    if (missing) return `the backup of export ${name} (${backup}) is gone; there is nothing to restore`;
  }
  return null;
}

async function rowChanged(db: Kysely<DB>, action: string, data: Record<string, unknown>): Promise<string | null> {
  const table = data.table;
  const row = data.row as Record<string, unknown> | undefined;
  if (typeof table !== 'string' || !ROW_TABLES.has(table) || typeof row !== 'object') {
    return `action ${action} kept no row to restore`;
  }
  const t = table as 'device_mappings' | 'nbd_exports' | 'vm_export_mappings' | 'ossea_volumes';
  const id = String(row.id);
  if (t === 'device_mappings') {
    const other = await db
      .selectFrom('device_mappings')
      .select(['id', 'device_path'])
      .where('volume_uuid', '=', String(row.volume_uuid))
      .where('id', '<>', id)
      .executeTakeFirst();
    if (other) {
      return `the device_mappings row of volume ${String(row.volume_uuid)} was replaced since (now row ${other.id}, ${other.device_path})`;
    }
  }
  const current = await db.selectFrom(t).select('id').where('id', '=', id).executeTakeFirst();
  if (action === 'update-device-mapping' && !current) {
    return `device_mappings row ${id} of volume ${String(row.volume_uuid)} was deleted since; there is nothing to set back`;
  }
  if (action !== 'update-device-mapping' && current) return `${t} row ${id} exists again; restoring it would collide`;
  return null;
}

/** Why `record` cannot be undone now (a sentence saying what changed), or null when it can. */
export async function whyUndoRefused(
  deps: EngineDeps,
  record: UndoneRecord,
  data: Record<string, unknown>,
  adoption = false,
): Promise<string | null> {
  const later = await laterAction(deps.database.db, record);
  if (later !== null || adoption) return later;
  if (record.action === 'quarantine-volume') return quarantineChanged(deps, data);
  if (record.action === 'remove-nbd-export') return exportChanged(deps, data);
  return rowChanged(deps.database.db, record.action, data);
}
