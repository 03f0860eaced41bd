/** `volume_operations` as the real daemon writes and reads it (`database/repository.go`). */
import { insertVolumeOperation } from '../db/insert-volume-operation.js';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema-types.js';
import { parseJsonColumn } from '../db/queries/json-column.js';
import type { OperationFilter, OperationStatus, OperationType, VolumeOperation } from '../volume-daemon/types.js';

type Row = {
  id: string;
  type: OperationType;
  status: OperationStatus;
  volume_id: string;
  vm_id: string | null;
  request: unknown;
  response: unknown;
  error: string | null;
  created_at: Date | null;
  updated_at: Date | null;
  completed_at: Date | null;
};

const iso = (d: Date | null): string | null => (d ? d.toISOString().replace('.000Z', 'Z') : null);
const object = (v: unknown): Record<string, unknown> | null => {
  const parsed = parseJsonColumn(v);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : null;
};

/** The JSON the daemon answers (`models/volume.go`): optional fields omitted when empty. */
export function operationJson(row: Row): VolumeOperation {
  const response = object(row.response);
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    volume_id: row.volume_id,
    ...(row.vm_id ? { vm_id: row.vm_id } : {}),
    request: object(row.request) ?? {},
    ...(response ? { response } : {}),
    ...(row.error ? { error: row.error } : {}),
    created_at: iso(row.created_at) ?? '',
    updated_at: iso(row.updated_at) ?? '',
    ...(row.completed_at ? { completed_at: iso(row.completed_at) ?? '' } : {}),
  };
}

/** Inserts a `pending` operation and returns it as JSON. */
export async function insertOperation(
  db: Kysely<DB>,
  op: {
    readonly type: OperationType;
    readonly volumeId: string;
    readonly vmId: string | null;
    readonly request: Record<string, unknown>;
  },
): Promise<VolumeOperation> {
  const id = await insertVolumeOperation(db, { ...op, status: 'pending' });
  const row = await getOperationRow(db, id);
  if (!row) throw new Error(`volume_operations row ${id} vanished after its insert`);
  return operationJson(row);
}

export async function markExecuting(db: Kysely<DB>, id: string): Promise<void> {
  await db.updateTable('volume_operations').set({ status: 'executing' }).where('id', '=', id).execute();
}

export async function markCompleted(db: Kysely<DB>, id: string, response: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('volume_operations')
    .set({ status: 'completed', response: JSON.stringify(response), completed_at: sql<Date>`current_timestamp()` })
    .where('id', '=', id)
    .execute();
}

export async function markFailed(db: Kysely<DB>, id: string, error: string): Promise<void> {
  await db
    .updateTable('volume_operations')
    .set({ status: 'failed', error, completed_at: sql<Date>`current_timestamp()` })
    .where('id', '=', id)
    .execute();
}

async function getOperationRow(db: Kysely<DB>, id: string): Promise<Row | undefined> {
  return db.selectFrom('volume_operations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One operation as JSON, or null. */
export async function getOperation(db: Kysely<DB>, id: string): Promise<VolumeOperation | null> {
  const row = await getOperationRow(db, id);
  return row ? operationJson(row) : null;
}

/** `GET /operations?…`: newest first, `limit` default 100. */
export async function listOperations(db: Kysely<DB>, filter: OperationFilter): Promise<VolumeOperation[]> {
  let q = db.selectFrom('volume_operations').selectAll();
  if (filter.type) q = q.where('type', '=', filter.type);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.volume_id) q = q.where('volume_id', '=', filter.volume_id);
  if (filter.vm_id) q = q.where('vm_id', '=', filter.vm_id);
  const rows = (await q
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit ?? 100)
    .execute()) as Row[];
  return rows.map(operationJson);
}

/** Operations a previous run left `pending`/`executing`, marked `failed` (only when `no-resume` is off). */
export async function failInterruptedOperations(db: Kysely<DB>): Promise<number> {
  const result = await db
    .updateTable('volume_operations')
    .set({
      status: 'failed',
      error: 'interrupted: the Volume Daemon restarted while this operation ran; check CloudStack for its real outcome',
      completed_at: sql<Date>`current_timestamp()`,
    })
    .where('status', 'in', ['pending', 'executing'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
