/**
 * `STATE_DIR/nbd-pending.json`: the changes nbd-server has not taken yet (with the reason `explain`
 * shows), and what the reconciler believes the server holds in memory — nbd-client -l shows names
 * only, so the paths applied at the last restart or HUP are recorded here, tied to the server PID.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { NbdPendingChange } from '../world/world.js';
import { atomicWriteFile } from './atomic-write.js';

/** Our record of the server's in-memory exports, valid only while `pid` is the running parent. */
export interface NbdMemoryRecord {
  readonly pid: number;
  /** Export name → its settings as applied ({@link exportSignature}). */
  readonly exports: Readonly<Record<string, string>>;
}

/** The settings of an export that a HUP never refreshes: its path and read-only flag. */
export function exportSignature(exportname: string, readonly: boolean): string {
  return readonly ? `${exportname} (readonly)` : exportname;
}

/** A restart that did not converge: not repeated until the config it was tried with changes. */
export interface NbdFailedRestart {
  /** Hash of every config file's text at the time (see `configHash`). */
  readonly configHash: string;
  readonly reason: string;
  readonly at: string;
}

/** The file's content. */
export interface NbdPendingState {
  readonly changes: readonly NbdPendingChange[];
  readonly memory: NbdMemoryRecord | null;
  readonly failedRestart: NbdFailedRestart | null;
}

const EMPTY: NbdPendingState = { changes: [], memory: null, failedRestart: null };

/** `STATE_DIR/nbd-pending.json`. */
export function pendingFilePath(stateDir: string): string {
  return join(stateDir, 'nbd-pending.json');
}

/** Reads and writes the pending file; a missing file is an empty state. */
export class NbdPendingStore {
  constructor(readonly path: string) {}

  /** Current state; a missing file is empty, a corrupt one throws (it is never silently reset). */
  async read(): Promise<NbdPendingState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
      throw e;
    }
    const data = JSON.parse(text) as Partial<NbdPendingState> & { version?: number };
    return {
      changes: Array.isArray(data.changes) ? data.changes : [],
      memory: data.memory ?? null,
      failedRestart: data.failedRestart ?? null,
    };
  }

  /** Replaces the state atomically. */
  async write(state: NbdPendingState): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await atomicWriteFile(this.path, `${JSON.stringify({ version: 1, ...state }, null, 2)}\n`, { mode: 0o644 });
  }

  /**
   * Sets the pending changes of the given export names (others are kept), preserving the `since`
   * of a change that was already pending so its age stays honest. Fields in `patch` replace the
   * stored ones.
   */
  async setChanges(
    names: readonly string[] | 'all',
    changes: readonly Omit<NbdPendingChange, 'since'>[],
    now: Date,
    patch: Partial<Pick<NbdPendingState, 'memory' | 'failedRestart'>> = {},
  ): Promise<NbdPendingState> {
    const current = await this.read();
    const since = new Map(current.changes.map((c) => [`${c.change}:${c.exportName}`, c.since]));
    const replaced = names === 'all' ? null : new Set(names);
    const kept = replaced === null ? [] : current.changes.filter((c) => !replaced.has(c.exportName));
    const next: NbdPendingState = {
      changes: [
        ...kept,
        ...changes.map((c) => ({ ...c, since: since.get(`${c.change}:${c.exportName}`) ?? now.toISOString() })),
      ],
      memory: patch.memory === undefined ? current.memory : patch.memory,
      failedRestart: patch.failedRestart === undefined ? current.failedRestart : patch.failedRestart,
    };
    await this.write(next);
    return next;
  }
}
