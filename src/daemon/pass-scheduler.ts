import type { PassTrigger } from '../reconcile/engine-port.js';

/**
 * Runs one pass at a time. A trigger that arrives while a pass runs schedules exactly ONE
 * follow-up pass, however many triggers arrive (passes are level-based: the follow-up re-reads
 * everything, so the extra triggers carry no information). `run` must not throw.
 */
export class PassScheduler {
  readonly #run: (trigger: PassTrigger) => Promise<void>;
  #current: Promise<void> | null = null;
  #pending: PassTrigger | null = null;
  #closed = false;

  constructor(run: (trigger: PassTrigger) => Promise<void>) {
    this.#run = run;
  }

  /** Asks for a pass; returns what happened to the request. */
  request(trigger: PassTrigger): 'started' | 'queued' | 'coalesced' | 'closed' {
    if (this.#closed) return 'closed';
    if (this.#current === null) {
      this.#start(trigger);
      return 'started';
    }
    if (this.#pending !== null) return 'coalesced';
    this.#pending = trigger;
    return 'queued';
  }

  /** True while a pass runs. */
  get running(): boolean {
    return this.#current !== null;
  }

  /** The pass under way (resolves when it ends), or null when idle. */
  get current(): Promise<void> | null {
    return this.#current;
  }

  /** Stops accepting requests and drops a queued follow-up; the running pass continues. */
  close(): void {
    this.#closed = true;
    this.#pending = null;
  }

  #start(trigger: PassTrigger): void {
    // `run` is contracted not to throw; a defect there must still not wedge the scheduler.
    this.#current = Promise.resolve()
      .then(() => this.#run(trigger))
      .catch(() => undefined)
      .then(() => {
        this.#current = null;
        const next = this.#pending;
        this.#pending = null;
        if (next !== null && !this.#closed) this.#start(next);
      });
  }
}
