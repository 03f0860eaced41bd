/**
 * `undo ACTION_ID`: reverses a reversible action from the data its audit record kept — a
 * quarantine (untag, and reattach where it was), an export removal (restore the backed-up file and
 * the row), a mapping or row deletion (re-insert the row). The undo is itself audited. Before
 * acting it re-checks live state (undo-checks.ts) and refuses with what changed; after it, the
 * subject is held (store/undo-holds.ts) until the operator releases it.
 */
import type { Kysely } from 'kysely';
import { coerceError } from '../errors.js';
import type { DB } from '../db/schema-types.js';
import { QUARANTINE_TAG } from '../../reconcilers/lib/names.js';
import type { EngineDeps } from './engine-deps.js';
import { parseJsonColumn } from '../db/queries/json-column.js';
import { recordIntent, recordOutcome } from './store/audit-log.js';
import { passVolumeWriter } from './actuators/pass-volume-writer.js';
import { placeUndoHold } from './store/undo-holds.js';
import { whyUndoRefused } from './undo-checks.js';
import { ADOPTABLE_TYPES, adoptAction, undoAdoption, type AdoptUndoData } from './adopt.js';

const ADOPT_ACTIONS = new Set<string>(ADOPTABLE_TYPES.map(adoptAction));

/** Outcome of an undo. */
export interface UndoResult {
  readonly status: 'undone' | 'not-reversible' | 'failed' | 'not-found';
  readonly message: string;
}

interface RowUndo {
  readonly table: 'device_mappings' | 'nbd_exports' | 'vm_export_mappings' | 'ossea_volumes';
  readonly row: Record<string, unknown>;
}

async function restoreRow(db: Kysely<DB>, { table, row }: RowUndo): Promise<void> {
  // Dates come back from JSON as strings; MariaDB accepts ISO without the trailing Z.
  const values = Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === 'string' && /^\d{4}-\d\d-\d\dT.*Z$/.test(v) ? v.replace('T', ' ').replace('Z', '') : v,
    ]),
  );
  await db
    .insertInto(table)
    .values(values as never)
    .execute();
}

/** Reverses action `id`. */
export async function undoAction(deps: EngineDeps, id: string, by: string): Promise<UndoResult> {
  const db = deps.database.db;
  const record = await db.selectFrom('oma_reconciler_actions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!record) return { status: 'not-found', message: `no recorded action ${id}` };
  if (record.outcome === 'undone') return { status: 'not-reversible', message: `action ${id} was already undone` };
  if (record.outcome !== 'success' || record.reversible !== 1) {
    return {
      status: 'not-reversible',
      message: `action ${id} (${record.action}, ${record.outcome}) is not reversible`,
    };
  }
  const data = parseJsonColumn(record.undo_data) as Record<string, unknown> | null;
  if (!data) return { status: 'not-reversible', message: `action ${id} kept no undo data` };
  // Live state first: still the latest action on its subject, still reversible now.
  const adoption = ADOPT_ACTIONS.has(record.action);
  const refused = await whyUndoRefused(deps, record, data, adoption);
  if (refused !== null) return { status: 'not-reversible', message: `refused: ${refused}` };
  const auditId = await recordIntent(db, {
    passId: `undo-${id}`,
    driftId: record.drift_id,
    kind: record.kind,
    action: `undo-${record.action}`.slice(0, 100),
    subject: { type: record.subject_type, id: record.subject_id, name: record.subject_name },
    contextId: record.context_id,
    destructive: false,
    detail: { undoOf: id, data },
    actor: by,
    leaderHost: deps.hostname,
    undoOf: id,
  });
  try {
    const message = adoption
      ? await undoAdoption(deps, data as unknown as AdoptUndoData)
      : await undoRepair(deps, record.action, data);
    await recordOutcome(db, auditId, 'success', null);
    await db.updateTable('oma_reconciler_actions').set({ outcome: 'undone' }).where('id', '=', id).execute();
    // Undoing an adoption only says the object is not ours: there is no repair to keep from being redone.
    if (adoption) return { status: 'undone', message };
    // The next passes must not redo what the operator just undid: the subject is held until released.
    await placeUndoHold(db, record.subject_id, {
      actionId: id,
      action: record.action,
      by,
      at: deps.clock().toISOString(),
    });
    return {
      status: 'undone',
      message: `${message}; ${record.subject_type} ${record.subject_id} is now held (no automatic action) until "oma-reconciler undo --release ${record.subject_id}"`,
    };
  } catch (e) {
    const message = coerceError(e).message;
    await recordOutcome(db, auditId, 'error', message);
    return { status: 'failed', message };
  }
}

/** Reverses a repair action (quarantine, export removal, row deletion) from its undo data. */
async function undoRepair(deps: EngineDeps, action: string, data: Record<string, unknown>): Promise<string> {
  const db = deps.database.db;
  let message: string;
  switch (action) {
    case 'quarantine-volume': {
      const cs = await deps.cloudstack();
      const volumeId = String(data.volumeId);
      await cs.client.deleteTags({ resourceType: 'Volume', resourceIds: [volumeId], tags: { [QUARANTINE_TAG]: null } });
      const from = typeof data.detachedFrom === 'string' ? data.detachedFrom : null;
      const deviceId = typeof data.deviceId === 'number' ? data.deviceId : null;
      let where = '';
      if (from !== null) {
        // Back where it was, through the one writer of volume moves (the Volume Daemon when in use).
        const signal = AbortSignal.timeout(600_000);
        // An operator's undo is not held by the settle window (its own quarantine may have ended a
        // moment ago); an operation still running on the volume still refuses it.
        const { volumes, volumesBlocked } = await passVolumeWriter(deps, cs, cs.omaVmId, signal, deps.logger, 0);
        if (!volumes) {
          throw new Error(
            `volume ${volumeId} cannot be reattached: ${volumesBlocked ?? 'no volume writer (CloudStack or the OMA VM id unknown)'}`,
          );
        }
        const moved = await volumes.attach(volumeId, from, { root: deviceId === 0 });
        if (moved.nbdChanged) await deps.nbd.applyPending({ allowRestart: true });
        where = ` (${volumes.path === 'daemon' ? 'through the Volume Daemon' : 'direct'}, volume operation ${moved.operationId ?? 'none: it was there already'})`;
      }
      message = `removed the quarantine of volume ${volumeId}${from ? ` and reattached it to ${from}${where}` : ''}`;
      break;
    }
    case 'remove-nbd-export': {
      if (typeof data.backup === 'string') {
        const outcome = await deps.nbd.restoreBackup(data.backup);
        if (outcome.status === 'refused' || outcome.status === 'failed') throw new Error(outcome.reason);
      }
      if (data.row && typeof data.row === 'object') {
        await restoreRow(db, { table: 'nbd_exports', row: data.row as Record<string, unknown> });
      }
      await deps.nbd.applyPending({ allowRestart: true });
      message = `restored export ${String(data.exportName)}`;
      break;
    }
    default: {
      const undo = data as Partial<RowUndo>;
      if (typeof undo.table !== 'string' || typeof undo.row !== 'object') {
        throw new Error(`action ${action} has no row to restore`);
      }
      if (action === 'update-device-mapping') {
        await db.deleteFrom('device_mappings').where('id', '=', String(undo.row.id)).execute();
      }
      await restoreRow(db, { table: undo.table, row: undo.row });
      message = `restored the ${undo.table} row`;
    }
  }
  return message;
}
