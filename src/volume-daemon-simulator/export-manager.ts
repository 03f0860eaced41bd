/**
 * The daemon's NBD export bookkeeping (oma-system.md §3.2–§3.5): `nbd_exports` row `pending` →
 * conf.d `migration-vol-<uuid>.conf` + SIGHUP → `active`; removal by volume id: file + SIGHUP, then
 * the row. One SIGHUP per change, sent only to a live process named by the pid file (never by name).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema-types.js';
import type { Logger } from '../log.js';
import { isProcessGone } from '../nbd/server-process.js';
import { contextOfVolume } from '../db/queries/context-of-volume.js';

/** Where the exports live and how nbd-server is told. */
export interface ExportManagerOptions {
  readonly baseConfig: string;
  readonly confDir: string;
  readonly pidFile: string;
  /** Port stored in `nbd_exports.port`. Default 10809. */
  readonly port: number;
  /** Read on every change: the `hup-per-change` switch. */
  readonly hupPerChange: () => boolean;
  readonly logger: Logger;
  /** Counts signals actually sent. */
  readonly onHup: (pid: number) => void;
}

/** The export name of a volume. */
export const exportNameOf = (volumeId: string): string => `migration-vol-${volumeId}`;

export class SimExportManager {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: ExportManagerOptions,
  ) {}

  /** conf.d file of a volume's export. */
  fileOf(volumeId: string): string {
    return join(this.options.confDir, `${exportNameOf(volumeId)}.conf`);
  }

  /**
   * `ensureNBDExportDevicePathCorrect`: an existing file whose `exportname` differs from the new
   * path is rewritten (and nbd-server signalled). A missing file is left alone.
   */
  async ensureDevicePathCorrect(volumeId: string, devicePath: string): Promise<void> {
    const file = this.fileOf(volumeId);
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) return;
    const current = /^\s*exportname\s*=\s*(.*?)\s*$/m.exec(text)?.[1];
    if (current === devicePath) return;
    await writeFile(file, render(exportNameOf(volumeId), devicePath), { mode: 0o644 });
    await this.reload(`export ${exportNameOf(volumeId)} now serves ${devicePath}`);
  }

  /** `ExportManager.CreateExport`; throws naming the failed step (the attach only logs it). */
  async createExport(volumeId: string, devicePath: string): Promise<void> {
    const name = exportNameOf(volumeId);
    if (await this.#inBaseConfig(name)) {
      throw new Error(`export '${name}' already exists in ${this.options.baseConfig}`);
    }
    const file = this.fileOf(volumeId);
    await this.db
      .insertInto('nbd_exports')
      .values({
        vm_context_id: await contextOfVolume(this.db, volumeId),
        job_id: null,
        volume_id: volumeId,
        export_name: name,
        port: this.options.port,
        device_path: devicePath,
        config_path: file,
        status: 'pending',
        created_at: sql<Date>`now(3)`,
        updated_at: sql<Date>`now(3)`,
      })
      .execute()
      .catch((e: unknown) => {
        throw new Error(`failed to create NBD export record: ${mysqlText(e)}`);
      });
    try {
      await writeFile(file, render(name, devicePath), { mode: 0o644, flag: 'wx' }).catch((e: unknown) => {
        throw new Error(
          (e as NodeJS.ErrnoException).code === 'EEXIST'
            ? `export '${name}' already exists`
            : `cannot write ${file}: ${(e as Error).message}`,
        );
      });
    } catch (e) {
      await this.db.deleteFrom('nbd_exports').where('export_name', '=', name).execute();
      throw new Error(`failed to add NBD export to config: ${(e as Error).message}`, { cause: e });
    }
    await this.reload(`export ${name} added`);
    await this.db
      .updateTable('nbd_exports')
      .set({ status: 'active', updated_at: sql<Date>`now(3)` })
      .where('export_name', '=', name)
      .execute();
  }

  /**
   * `DeleteExport(volumeID)`: no row → nothing to do (a lone file stays, unless `evenWithoutRow`);
   * else the file (missing is fine) + SIGHUP, then the row.
   */
  async deleteExport(volumeId: string, options: { readonly evenWithoutRow?: boolean } = {}): Promise<void> {
    const row = await this.db
      .selectFrom('nbd_exports')
      .select(['export_name', 'config_path'])
      .where('volume_id', '=', volumeId)
      .executeTakeFirst();
    if (!row && !options.evenWithoutRow) return;
    const file = row?.config_path ? row.config_path : this.fileOf(volumeId);
    const existed = await rm(file).then(
      () => true,
      (e: unknown) => {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw new Error(`failed to remove NBD export file ${file}: ${(e as Error).message}`);
      },
    );
    if (existed) await this.reload(`export ${exportNameOf(volumeId)} removed`);
    await this.db.deleteFrom('nbd_exports').where('volume_id', '=', volumeId).execute();
  }

  /** `reloadNBDServer`: SIGHUP to the pid file's process when it is alive (never by name). */
  async reload(why: string): Promise<void> {
    const log = this.options.logger;
    if (!this.options.hupPerChange()) {
      log.debug({ why }, 'nbd-server reload skipped (hup-per-change fault off)');
      return;
    }
    const text = await readFile(this.options.pidFile, 'utf8').catch(() => null);
    const pid = text === null ? NaN : Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 1) {
      log.warn({ why, pidFile: this.options.pidFile }, 'nbd-server reload skipped: no valid PID in the pid file');
      return;
    }
    if (await isProcessGone(pid)) {
      log.warn(
        { why, pid, pidFile: this.options.pidFile },
        'nbd-server reload skipped: the pid file names no live process',
      );
      return;
    }
    try {
      process.kill(pid, 'SIGHUP');
      this.options.onHup(pid);
      log.info({ why, pid }, 'nbd-server sent SIGHUP');
    } catch (e) {
      log.warn({ why, pid, error: (e as Error).message }, 'nbd-server reload failed');
    }
  }

  async #inBaseConfig(name: string): Promise<boolean> {
    const text = await readFile(this.options.baseConfig, 'utf8').catch(() => '');
    return text.split('\n').some((line) => line.trim() === `[${name}]`);
  }
}

/** The daemon's per-export file (§3.2): section + four keys, no comments. */
export function render(name: string, devicePath: string): string {
  return `[${name}]\nexportname = ${devicePath}\nreadonly = false\nmultifile = false\ncopyonwrite = false\n`;
}

/** A driver error as the Go MySQL driver prints it: `Error 1062: Duplicate entry …`. */
export function mysqlText(e: unknown): string {
  const err = e as { errno?: unknown; sqlMessage?: unknown; message?: unknown };
  if (typeof err.errno === 'number' && typeof err.sqlMessage === 'string') {
    return `Error ${err.errno}: ${err.sqlMessage}`;
  }
  return e instanceof Error ? e.message : String(e);
}
