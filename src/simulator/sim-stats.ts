/** Request counters of the simulator (the benchmark's server-side "requests per pass"). */
export class SimStats {
  readonly #byCommand = new Map<string, number>();
  /** `apiKey\0command` → verified requests, so tests can tell two callers (e.g. a Volume Daemon and us) apart. */
  readonly #byCaller = new Map<string, number>();
  /** Requests refused with 401 (bad signature, unknown key or command, expired). */
  rejected = 0;

  /** Counts one verified request. */
  count(command: string, apiKey?: string): void {
    this.#byCommand.set(command, (this.#byCommand.get(command) ?? 0) + 1);
    if (apiKey !== undefined) {
      this.#byCaller.set(`${apiKey}\0${command}`, (this.#byCaller.get(`${apiKey}\0${command}`) ?? 0) + 1);
    }
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
    this.rejected = 0;
  }
}
