/**
 * Actuators for nbd-server exports. Files and authfiles change at once through the export manager;
 * what the running server takes is applied once at the end of the pass (`applyPending`), never with
 * a signal per export.
 */
import { join } from 'node:path';
import { fail, ok, type Actuator, type ActuatorResult } from './actuator-context.js';
import type { NbdOutcome } from '../../nbd/nbd-outcome.js';

function fromOutcome(o: NbdOutcome, done: string, undoData?: unknown): ActuatorResult {
  switch (o.status) {
    case 'applied':
    case 'pending':
      return ok(`${done} (${o.status}: ${o.reason})`, undoData);
    case 'dry-run':
      return ok(`would have ${done}`);
    case 'refused':
      return fail(`export ${o.exportName} refused: ${o.reason}`, true);
    case 'failed':
      return fail(`export ${o.exportName} failed: ${o.reason}`);
  }
}

export const addNbdExport: Actuator<'add-nbd-export'> = async (action, _item, ctx) => {
  const { exportName, devicePath, volumeId, contextId, rowId } = action.params;
  const outcome = await ctx.nbd.addExport({ name: exportName, exportname: devicePath });
  if (outcome.status === 'refused' || outcome.status === 'failed') return fromOutcome(outcome, '');
  ctx.nbdTouched.value = true;
  if (rowId === null) {
    const existing = await ctx.db
      .selectFrom('nbd_exports')
      .select('id')
      .where('export_name', '=', exportName)
      .executeTakeFirst();
    if (!existing) {
      await ctx.db
        .insertInto('nbd_exports')
        .values({
          vm_context_id: contextId,
          job_id: null,
          volume_id: volumeId,
          export_name: exportName,
          port: ctx.nbdPort,
          device_path: devicePath,
          config_path: join(ctx.nbdConfDir, `${exportName}.conf`),
          status: 'active',
          created_at: ctx.clock(),
          updated_at: ctx.clock(),
        })
        .execute();
    }
  }
  return fromOutcome(
    outcome,
    `wrote export ${exportName} → ${devicePath}${rowId === null ? ' and its nbd_exports row' : ''}`,
  );
};

export const removeNbdExport: Actuator<'remove-nbd-export'> = async (action, _item, ctx) => {
  const { exportName, rowId } = action.params;
  const row =
    rowId === null
      ? undefined
      : await ctx.db.selectFrom('nbd_exports').selectAll().where('id', '=', rowId).executeTakeFirst();
  const outcome = await ctx.nbd.removeExport(exportName);
  if (outcome.status === 'refused' || outcome.status === 'failed') return fromOutcome(outcome, '');
  ctx.nbdTouched.value = true;
  if (row) await ctx.db.deleteFrom('nbd_exports').where('id', '=', row.id).execute();
  return fromOutcome(outcome, `removed export ${exportName}${row ? ' and its nbd_exports row' : ''}`, {
    exportName,
    backup: outcome.backup ?? null,
    row: row ?? null,
  });
};

export const restartNbdServer: Actuator<'restart-nbd-server'> = (action, _item, ctx) => {
  // The restart itself happens once at the end of the pass, and only with no live sessions.
  ctx.nbdTouched.value = true;
  ctx.nbdTouched.allowRestart = true;
  return Promise.resolve(ok(`scheduled the end-of-pass apply of nbd-server changes (${action.params.reason})`));
};
