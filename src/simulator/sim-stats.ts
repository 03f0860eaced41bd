/** One verified request as a listener of {@link SimStats.onRequest} sees it. */
export interface SimRequestSeen {
  readonly command: string;
  /** The object a mutating command acts on (`id`, else `volumeid`, else `virtualmachineid`); null for reads. */
  readonly objectId: string | null;
}

/** Reads, which change nothing: `list*` and `query*` (job polls). */
const isRead = (command: string): boolean => /^(list|query)/i.test(command);

/** Request counters of the simulator (the benchmark's server-side "requests per pass"). */
export class SimStats {
  readonly #byCommand = new Map<string, number>();
  /** `apiKey\0command` → verified requests, so tests can tell two callers (e.g. a Volume Daemon and us) apart. */
  readonly #byCaller = new Map<string, number>();
  /**
   * `command\0objectId` → requests of a mutating command for one object, so a test can tell that a
   * side effect (a revert, a delete, an attach) was asked for once per object, across restarts.
   */
  readonly #byObject = new Map<string, number>();
  readonly #listeners = new Set<(seen: SimRequestSeen) => void>();
  /** Requests refused with 401 (bad signature, unknown key or command, expired). */
  rejected = 0;

  /** Counts one verified request; `objectId` is recorded for mutating commands only. */
  count(command: string, apiKey?: string, objectId?: string | null): void {
    this.#byCommand.set(command, (this.#byCommand.get(command) ?? 0) + 1);
    if (apiKey !== undefined) {
      this.#byCaller.set(`${apiKey}\0${command}`, (this.#byCaller.get(`${apiKey}\0${command}`) ?? 0) + 1);
    }
    const target = isRead(command) ? null : (objectId ?? null);
    if (target !== null) {
      this.#byObject.set(`${command}\0${target}`, (this.#byObject.get(`${command}\0${target}`) ?? 0) + 1);
    }
    for (const listener of this.#listeners) listener({ command, objectId: target });
  }

  /** Calls `listener` on every verified request, before it is handled (a test can kill its caller right there); returns the unsubscribe. */
  onRequest(listener: (seen: SimRequestSeen) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Requests of a mutating command per object id (e.g. `revertSnapshot` → snapshot id → count). */
  requestsPerObject(command: string): Map<string, number> {
    const out = new Map<string, number>();
    const prefix = `${command}\0`;
    for (const [key, n] of this.#byObject) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), n);
    return out;
  }

  /** Every mutating command with its per-object counts (`{command: {objectId: n}}`). */
  mutationsPerObject(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, n] of this.#byObject) {
      const [command = '', id = ''] = key.split('\0');
      (out[command] ??= {})[id] = n;
    }
    return out;
  }

  /** Verified requests of one command signed with one API key. */
  requestsBy(apiKey: string, command: string): number {
    return this.#byCaller.get(`${apiKey}\0${command}`) ?? 0;
  }

  /** Verified requests of one command, or of all. */
  requests(command?: string): number {
    if (command !== undefined) return this.#byCommand.get(command) ?? 0;
    let total = 0;
    for (const n of this.#byCommand.values()) total += n;
    return total;
  }

  /** `{total, rejected, byCommand}` for `GET /sim/stats`. */
  toJSON(): {
    readonly total: number;
    readonly rejected: number;
    readonly byCommand: Readonly<Record<string, number>>;
  } {
    return { total: this.requests(), rejected: this.rejected, byCommand: Object.fromEntries(this.#byCommand) };
  }

  reset(): void {
    this.#byCommand.clear();
    this.#byCaller.clear();
    this.#byObject.clear();
    this.rejected = 0;
  }
}
