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
  /** Export name → exportname path as applied. */
  readonly exports: Readonly<Record<string, string>>;
}

/** The file's content. */
export interface NbdPendingState {
  readonly changes: readonly NbdPendingChange[];
  readonly memory: NbdMemoryRecord | null;
}

const EMPTY: NbdPendingState = { changes: [], memory: null };

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
    return { changes: Array.isArray(data.changes) ? data.changes : [], memory: data.memory ?? null };
  }

  /** Replaces the state atomically. */
  async write(state: NbdPendingState): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await atomicWriteFile(this.path, `${JSON.stringify({ version: 1, ...state }, null, 2)}\n`, { mode: 0o644 });
  }

  /**
   * Sets the pending changes of the given export names (others are kept), preserving the `since`
   * of a change that was already pending so its age stays honest. `memory` replaces the record
   * when given.
   */
  async setChanges(
    names: readonly string[] | 'all',
    changes: readonly Omit<NbdPendingChange, 'since'>[],
    now: Date,
    memory?: NbdMemoryRecord | null,
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
      memory: memory === undefined ? current.memory : memory,
    };
    await this.write(next);
    return next;
  }
}
