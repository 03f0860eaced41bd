/**
 * A simulated crash (kill -9) of the daemon: from the moment it happens, no operation writes
 * anything more — rows stay `pending`/`executing`, exactly where a dead process leaves them. A
 * crash can be armed to happen when the next operation reaches a given point.
 */

/** Where an operation can be cut short: before `executing` is written, before or after its CloudStack call. */
export const CRASH_POINTS = ['before-executing', 'before-cloudstack', 'after-cloudstack'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Thrown inside an operation that a crash cut short; never written anywhere. */
export class SimulatorCrashed extends Error {
  override readonly name = 'SimulatorCrashed';
  constructor(readonly point: string) {
    super(`Volume Daemon simulator crashed (${point})`);
  }
}

export class CrashControl {
  readonly #abort = new AbortController();
  #armed: CrashPoint | null = null;
  #onCrash: (() => void) | null = null;

  /** Called once, when the crash happens (the simulator stops serving). */
  onCrash(fn: () => void): void {
    this.#onCrash = fn;
  }

  get crashed(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Aborted at the crash: pending CloudStack waits end with it. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** The next operation that reaches `point` crashes the simulator there. */
  arm(point: CrashPoint): void {
    this.#armed = point;
  }

  /** Crashes now. */
  crash(point = 'crash()'): void {
    if (this.crashed) return;
    this.#abort.abort(new SimulatorCrashed(point));
    this.#onCrash?.();
  }

  /** Called by operations at each point; throws once crashed (or when the armed point is reached). */
  checkpoint(point: CrashPoint | 'write'): void {
    if (!this.crashed && this.#armed !== null && point === this.#armed) {
      this.#armed = null;
      this.crash(point);
    }
    if (this.crashed) throw new SimulatorCrashed(point);
  }
}
