/**
 * The one object through which the reconciler changes nbd-server exports.
 *
 * - `addExport` / `removeExport` change files only (authfile first, atomic snippet writes, backups)
 *   and record what the running server still has to take; a removal is refused to new clients at
 *   once through the export's authfile.
 * - `applyPending` makes the server take everything in one coalesced reload per pass: SIGHUP for
 *   additions on ≥ 3.25 only, otherwise an idle restart when allowed, otherwise the changes stay
 *   pending in `STATE_DIR/nbd-pending.json` with a reason for `explain`. Never a blind HUP, never a
 *   signal by process name, never a signal to a child.
 *
 * Every method is idempotent and returns an outcome instead of throwing for expected conditions;
 * calls on one manager are serialised.
 *
 * @example
 * const nbd = new NbdExportManager({ ...config.nbd, stateDir: config.stateDir });
 * await nbd.addExport({ name: 'migration-vol-<uuid>', exportname: byIdPath(uuid) });
 * const pass = await nbd.applyPending({ allowRestart: true }); // → { action: 'restart', … }
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { NbdPendingChange } from '../world/world.js';
import { applyPendingChanges, type ApplyPendingOptions } from './apply-pending.js';
import { chooseApplyStrategy } from './apply-strategy.js';
import { authfilePath, isManagedAuthfile, writeAuthfile } from './authfile.js';
import { parseKeyFile } from './key-file.js';
import { checkExportGroup } from './nbd-config-keys.js';
import {
  resolveManagerContext,
  viewServer,
  type NbdExportManagerOptions,
  type NbdManagerContext,
  type ServerView,
} from './nbd-manager-context.js';
import { refused, type ApplyPendingResult, type NbdOutcome } from './nbd-outcome.js';
import type { NbdExportSpec } from './export-spec.js';
import { readNbdConfig } from './read-nbd-config.js';
import { countSettledSessions } from './session-count.js';
import { stageAdd, type StagedChange } from './stage-add.js';
import { stageRemove } from './stage-remove.js';

/** Options of `addExport` / `removeExport`. */
export interface NbdChangeOptions {
  /** Write nothing; return the diff and the predicted change. Default false. */
  readonly dryRun?: boolean;
  /** Run `applyPending` right after and report its outcome for this export. Default false. */
  readonly apply?: boolean;
  /** Passed to `applyPending` when `apply` is set. Default false. */
  readonly allowRestart?: boolean;
}

/** See the module comment. */
export class NbdExportManager {
  readonly #ctx: NbdManagerContext;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: NbdExportManagerOptions) {
    this.#ctx = resolveManagerContext(options);
  }

  /** Adds (or re-asserts) `conf.d/<name>.conf` with a per-export allow authfile. */
  addExport(spec: NbdExportSpec, options: NbdChangeOptions = {}): Promise<NbdOutcome> {
    return this.#serial(async () => {
      const view = await viewServer(this.#ctx);
      const staged = await stageAdd(this.#ctx, spec, view, options.dryRun === true);
      return this.#finish(staged, view, options);
    });
  }

  /** Denies new connections through the authfile, backs up and removes the export's snippet. */
  removeExport(name: string, options: NbdChangeOptions = {}): Promise<NbdOutcome> {
    return this.#serial(async () => {
      const view = await viewServer(this.#ctx);
      const staged = await stageRemove(this.#ctx, name, view, options.dryRun === true);
      return this.#finish(staged, view, options);
    });
  }

  /** One coalesced reload (or none) for everything the server has not taken yet. */
  applyPending(options: ApplyPendingOptions = {}): Promise<ApplyPendingResult> {
    return this.#serial(() => applyPendingChanges(this.#ctx, options));
  }

  /** Puts a removed snippet back from its backup (the `undo` of a removal) and re-allows it. */
  restoreBackup(backupPath: string, options: NbdChangeOptions = {}): Promise<NbdOutcome> {
    return this.#serial(async () => {
      const ctx = this.#ctx;
      const fileName = basename(backupPath).split('--').slice(1).join('--');
      let name = fileName.replace(/\.conf$/, '');
      let authfile: string | null;
      try {
        const groups = parseKeyFile(await readFile(backupPath, 'utf8')).groups;
        const [group] = groups;
        if (groups.length !== 1 || !group || `${group.name}.conf` !== fileName) {
          throw new Error('not a single-export snippet named after its export');
        }
        name = group.name;
        const auth = checkExportGroup(group).get('authfile');
        authfile = typeof auth === 'string' ? auth : null;
      } catch (e) {
        return refused(name, 'add', `backup ${backupPath} cannot be restored: ${(e as Error).message}`);
      }
      const snap = await readNbdConfig(ctx);
      const target = join(snap.confDir, fileName);
      const clash = snap.exports.find((e) => e.name === name);
      if (snap.readError !== null || clash) {
        return refused(name, 'add', snap.readError ?? `export ${name} is already defined in ${clash?.file ?? ''}`);
      }
      if (options.dryRun === true) {
        return { status: 'dry-run', exportName: name, change: 'add', reason: `would restore ${target}` };
      }
      if (isManagedAuthfile(ctx.stateDir, authfile) && authfile !== null) {
        await writeAuthfile(authfile, ctx.allowClients, ctx.tempDirs);
      }
      await ctx.backups.restore(backupPath, target, { tempDirs: ctx.tempDirs });
      const view = await viewServer(ctx);
      const inMemory = view.live?.includes(name) === true;
      const staged: StagedChange = {
        exportName: name,
        change: view.found.running && !inMemory ? 'add' : 'none',
        diff: '',
        note: `restored ${target}`,
      };
      return this.#finish(staged, view, options);
    });
  }

  /** The changes the server has not taken yet. */
  async pending(): Promise<readonly NbdPendingChange[]> {
    return (await this.#ctx.pending.read()).changes;
  }

  /** The authfile path the manager writes for an export. */
  authfileFor(exportName: string): string {
    return authfilePath(this.#ctx.stateDir, exportName);
  }

  async #finish(staged: NbdOutcome | StagedChange, view: ServerView, options: NbdChangeOptions): Promise<NbdOutcome> {
    if ('status' in staged) return staged;
    const extra = { diff: staged.diff, ...(staged.backup === undefined ? {} : { backup: staged.backup }) };
    const { exportName, change } = staged;
    if (change === 'none') {
      await this.#ctx.pending.setChanges([exportName], [], this.#ctx.clock());
      return { status: 'applied', exportName, change, reason: staged.note || 'already in effect', ...extra };
    }
    const reason = [staged.note, await this.#hint(view, change, exportName)].filter((s) => s !== '').join('; ');
    await this.#ctx.pending.setChanges([exportName], [{ exportName, change, reason }], this.#ctx.clock());
    if (options.apply !== true) return { status: 'pending', exportName, change, reason, ...extra };
    const pass = await applyPendingChanges(this.#ctx, { allowRestart: options.allowRestart === true });
    const mine = pass.outcomes.find((o) => o.exportName === exportName);
    if (mine) return { ...mine, ...extra };
    if (pass.action === 'none' || pass.action === 'restart' || pass.action === 'hup') {
      return { status: 'applied', exportName, change, reason: pass.reason, ...extra };
    }
    return { status: 'pending', exportName, change, reason: pass.reason, ...extra };
  }

  /** How the server will take a change, as a sentence (the strategy, evaluated for this change only). */
  async #hint(view: ServerView, change: 'add' | 'remove' | 'update', exportName: string): Promise<string> {
    if (!view.found.running) return '';
    const server = view.found.server;
    const version = await this.#ctx.versions.versionOf(server.exe ?? server.argv[0] ?? 'nbd-server');
    const sessions = await countSettledSessions(server.pid).catch(() => null);
    const decision = chooseApplyStrategy({
      version,
      sessions,
      allowRestart: true,
      hupHandlerInstalled: server.hupHandlerInstalled,
      changes: {
        add: change === 'add' ? [exportName] : [],
        remove: change === 'remove' ? [exportName] : [],
        update: change === 'update' ? [exportName] : [],
      },
    });
    if (decision.hup.length > 0) return 'the next applyPending pass adds it with one SIGHUP';
    const why =
      change !== 'add'
        ? 'nbd-server drops or changes an export in memory only at a restart'
        : version === null
          ? 'the nbd-server version is unknown, so SIGHUP is not used'
          : `nbd-server ${version} corrupts its heap on SIGHUP (fixed in 3.25)`;
    if (decision.restart) {
      return `${why}; the next applyPending pass with restarts allowed applies it by an idle restart`;
    }
    return decision.deferred[0]?.reason ?? why;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
