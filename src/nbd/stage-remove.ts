/**
 * The file half of removing an export: refuse new connections at once through its authfile (no
 * signal needed: nbd-server re-reads it on every connect), back the snippet up, remove it durably,
 * and report whether the running server still holds the export in memory (it does until a restart).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { removeFileDurably } from './atomic-write.js';
import { authfilePath, isManagedAuthfile, writeAuthfile } from './authfile.js';
import { probeNbdExport } from './nbd-client.js';
import type { NbdManagerContext, ServerView } from './nbd-manager-context.js';
import { dryRunOutcome, refused, type NbdOutcome } from './nbd-outcome.js';
import { readNbdConfig } from './read-nbd-config.js';
import type { StagedChange } from './stage-add.js';
import { hasControlCharacter } from './key-file.js';
import { fileDiff } from './text-diff.js';

function checkName(name: unknown): string {
  // Lax on purpose: legacy exports written by others may not fit our own naming rules.
  if (
    typeof name !== 'string' ||
    name === '' ||
    name.length > 4096 ||
    name.includes('/') ||
    hasControlCharacter(name)
  ) {
    throw new InvalidInputError(
      `export name ${JSON.stringify(String(name)).slice(0, 80)} is not a removable export name`,
      'name',
    );
  }
  return name;
}

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

/** Denies, backs up and removes an export's snippet. Nothing is written when refused. */
export async function stageRemove(
  ctx: NbdManagerContext,
  input: unknown,
  view: ServerView,
  dryRun: boolean,
): Promise<NbdOutcome | StagedChange> {
  let name: string;
  try {
    name = checkName(input);
  } catch (e) {
    return refused(typeof input === 'string' ? input.slice(0, 200) : '', 'remove', (e as Error).message, e as Error);
  }
  const snap = await readNbdConfig(ctx);
  if (snap.readError !== null) return refused(name, 'remove', snap.readError);
  const defs = snap.exports.filter((e) => e.name === name);
  const inBase = defs.find((e) => e.file === snap.baseConfig);
  if (inBase) {
    return refused(
      name,
      'remove',
      `export ${name} is defined in the base config ${snap.baseConfig}; it is not edited automatically`,
    );
  }
  const shared = defs.find((d) => snap.exports.some((o) => o.file === d.file && o.name !== name));
  if (shared) {
    return refused(name, 'remove', `${shared.file} defines other exports too; it is not removed automatically`);
  }
  const ownFile = join(snap.confDir, `${name}.conf`);
  const files = new Set(defs.map((d) => d.file));
  // A broken snippet of that name defines nothing the server could load: removing it is a repair.
  if (snap.parseErrors.some((p) => p.file === ownFile)) files.add(ownFile);

  const denyPaths = new Set(defs.map((d) => d.authfile).filter((a): a is string => isManagedAuthfile(ctx.stateDir, a)));
  const ownAuth = authfilePath(ctx.stateDir, name);
  if (await exists(ownAuth)) denyPaths.add(ownAuth);
  let diff = '';
  for (const path of denyPaths) diff += fileDiff(path, await readFile(path, 'utf8').catch(() => null), '');
  for (const file of files) {
    diff += fileDiff(file, snap.texts.get(file) ?? (await readFile(file, 'utf8').catch(() => '')), null);
  }

  const inMemory = view.live?.includes(name) ?? null;
  const change = !view.found.running || inMemory === false ? 'none' : 'remove';
  if (dryRun) {
    return dryRunOutcome(name, change, diff, `would deny and remove ${[...files].join(', ') || 'nothing'}`);
  }
  for (const path of denyPaths) await writeAuthfile(path, [], ctx.tempDirs);
  let backup: string | undefined;
  for (const file of files) {
    backup = (await ctx.backups.backup(file)) ?? backup;
    await removeFileDurably(file);
    ctx.logger?.info({ exportName: name, file, backup }, 'nbd export file removed');
  }
  let note = '';
  if (change === 'none') {
    note = view.found.running
      ? 'nbd-server does not hold it in memory'
      : `nbd-server is not running (${view.found.reason})`;
    // Neither configured nor served: the deny file has nothing left to guard.
    if (!view.found.running || inMemory === false) await removeFileDurably(ownAuth);
  } else if (denyPaths.size === 0) {
    note = 'it has no reconciler authfile, so new connections are still accepted until the restart';
  } else if (inMemory === true) {
    const probe = await probeNbdExport(ctx.address, name, { timeoutMs: 5_000 });
    note = probe.ok
      ? 'WARNING: its authfile denies everyone but a connection still succeeded (is the authfile readable by nbd-server?)'
      : 'new connections are refused at once through its authfile';
  }
  return backup === undefined
    ? { exportName: name, change, diff, note }
    : { exportName: name, change, diff, note, backup };
}
