/**
 * The file half of adding an export: validate, check uniqueness across every config file, write
 * the allow authfile and then `conf.d/<name>.conf` atomically (with a backup when it replaces
 * something), and classify what the running server still has to take (add, update or nothing).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError, coerceError } from '../errors.js';
import { atomicWriteFile } from './atomic-write.js';
import { authfilePath, renderAuthfile, writeAuthfile } from './authfile.js';
import { validateExportSpec } from './export-spec.js';
import type { NbdManagerContext, ServerView } from './nbd-manager-context.js';
import { dryRunOutcome, refused, type NbdChangeKind, type NbdOutcome } from './nbd-outcome.js';
import { exportSignature } from './pending-store.js';
import { readNbdConfig } from './read-nbd-config.js';
import { renderExportFile } from './render-export.js';
import { fileDiff } from './text-diff.js';

/** A staged addition: what changed on disk and what the server still needs. */
export interface StagedChange {
  readonly exportName: string;
  /** `none` when the server already serves the desired state (or is not running). */
  readonly change: NbdChangeKind;
  readonly diff: string;
  readonly backup?: string;
  /** Why nothing is pending, when `change` is `none`. */
  readonly note: string;
}

async function readText(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null);
}

function nameOf(input: unknown): string {
  const name = (input as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name.slice(0, 200) : '';
}

/**
 * Validates and (unless `dryRun`) writes an export. Returns an outcome when refused or dry-run,
 * otherwise the staged change. Nothing is written when the result is `refused`.
 */
export async function stageAdd(
  ctx: NbdManagerContext,
  input: unknown,
  view: ServerView,
  dryRun: boolean,
): Promise<NbdOutcome | StagedChange> {
  let spec, rendered, authText;
  try {
    spec = validateExportSpec(input);
    rendered = renderExportFile(spec, authfilePath(ctx.stateDir, spec.name));
    authText = renderAuthfile(ctx.allowClients);
  } catch (e) {
    return refused(nameOf(input), 'add', coerceError(e).message, coerceError(e));
  }
  const name = spec.name;
  const snap = await readNbdConfig(ctx);
  if (snap.readError !== null) return refused(name, 'add', snap.readError);
  if (snap.parseErrors.length > 0) {
    const list = snap.parseErrors.map((p) => `${p.file}: ${p.error}`).join('; ');
    return refused(
      name,
      'add',
      `the nbd-server config has errors a reload or restart would trip on (${list}); fix them first`,
    );
  }
  const target = join(snap.confDir, rendered.fileName);
  const clash = snap.exports.find((e) => e.name === name && e.file !== target);
  if (clash) {
    const error = new InvalidInputError(
      `export ${name} is already defined in ${clash.file}; names must be unique across all files`,
      'name',
    );
    return refused(name, 'add', error.message, error);
  }
  const others = snap.exports.filter((e) => e.file === target && e.name !== name).map((e) => e.name);
  if (others.length > 0) {
    return refused(name, 'add', `${target} also defines ${others.join(', ')}; it is not overwritten`);
  }

  const before = snap.texts.get(target) ?? null;
  const authPath = authfilePath(ctx.stateDir, name);
  const authBefore = await readText(authPath);
  const diff = fileDiff(authPath, authBefore, authText) + fileDiff(target, before, rendered.text);

  let change: NbdChangeKind = 'add';
  let note = '';
  if (!view.found.running) {
    change = 'none';
    note = `nbd-server is not running (${view.found.reason}); it reads the file when it starts`;
  } else if (view.live?.includes(name) === true) {
    const applied = view.memory?.exports[name];
    const inSync =
      applied !== undefined
        ? applied === exportSignature(spec.exportname, spec.readonly === true)
        : before === rendered.text;
    change = inSync ? 'none' : 'update';
    note = 'nbd-server already serves it with this path';
  }
  if (dryRun) {
    return dryRunOutcome(name, change, diff, `would write ${target}`);
  }
  // The authfile goes first, so the export is never registered without its allow list.
  if (authBefore !== authText) await writeAuthfile(authPath, ctx.allowClients, ctx.tempDirs);
  let backup: string | undefined;
  if (before !== rendered.text) {
    if (before !== null) backup = (await ctx.backups.backup(target)) ?? undefined;
    await atomicWriteFile(target, rendered.text, {
      tempDirs: ctx.tempDirs,
      ...(ctx.beforeRename ? { beforeRename: ctx.beforeRename } : {}),
    });
    ctx.logger?.info({ exportName: name, file: target }, 'nbd export file written');
  }
  return backup === undefined
    ? { exportName: name, change, diff, note }
    : { exportName: name, change, diff, note, backup };
}
