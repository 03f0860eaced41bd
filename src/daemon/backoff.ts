import type { SubjectBackoffView } from '../reconcile/engine-port.js';

/** Tuning of a {@link Backoff}. */
export interface BackoffOptions {
  /** Delay after the first failure, ms. Default 5000. */
  readonly baseMs?: number;
  /** Growth per consecutive failure. Default 2. */
  readonly factor?: number;
  /** Upper bound of one delay (after jitter), ms. Default 900000 (15 min). */
  readonly capMs?: number;
  /** Random source in [0, 1) for the 0.5–1.5× jitter. Default Math.random. */
  readonly random?: () => number;
  /** Clock, epoch ms. Default Date.now. */
  readonly now?: () => number;
}

interface Entry {
  failures: number;
  retryAt: number;
}

/**
 * Per-subject exponential backoff: after the n-th consecutive failure a subject waits
 * `min(cap, base × factor^(n-1) × jitter)` with jitter uniform in 0.5–1.5× (so subjects that failed
 * together do not retry together); a success forgets the subject.
 *
 * @example
 * const b = new Backoff({ baseMs: 1000, random: () => 0.5 }); // jitter exactly 1×
 * b.failure('orphan-volume:volume:v1'); // → 1000
 * b.failure('orphan-volume:volume:v1'); // → 2000
 * b.mayRetry('orphan-volume:volume:v1'); // → false until 2 s have passed
 */
export class Backoff implements SubjectBackoffView {
  readonly #entries = new Map<string, Entry>();
  readonly #baseMs: number;
  readonly #factor: number;
  readonly #capMs: number;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 5_000;
    this.#factor = options.factor ?? 2;
    this.#capMs = options.capMs ?? 900_000;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Records a failure of `subject` and returns the delay (ms) before it may be retried. A terminal
   * failure (retrying cannot help) waits the full cap at once instead of climbing towards it.
   */
  failure(subject: string, options: { readonly terminal?: boolean } = {}): number {
    const failures = (this.#entries.get(subject)?.failures ?? 0) + 1;
    // Exponent capped so a long failure streak cannot overflow to Infinity before the cap applies.
    const raw = options.terminal ? this.#capMs : this.#baseMs * this.#factor ** Math.min(failures - 1, 64);
    const delay = Math.round(Math.min(this.#capMs, raw * (0.5 + this.#random())));
    this.#entries.set(subject, { failures, retryAt: this.#now() + delay });
    return delay;
  }

  /** Forgets `subject`: the next failure starts again from the base delay. */
  success(subject: string): void {
    this.#entries.delete(subject);
  }

  /** True when `subject` has no pending backoff. */
  mayRetry(subject: string): boolean {
    const entry = this.#entries.get(subject);
    return entry === undefined || entry.retryAt <= this.#now();
  }

  /** Epoch ms from which `subject` may be retried; null when it may be retried now. */
  retryAt(subject: string): number | null {
    const entry = this.#entries.get(subject);
    return entry === undefined || entry.retryAt <= this.#now() ? null : entry.retryAt;
  }

  /** Consecutive failures recorded for `subject` (0 when none). */
  failures(subject: string): number {
    return this.#entries.get(subject)?.failures ?? 0;
  }

  /** The earliest future retry time of any subject (epoch ms), or null when none is waiting. */
  nextRetryAt(): number | null {
    const now = this.#now();
    let next: number | null = null;
    for (const { retryAt } of this.#entries.values()) {
      if (retryAt > now && (next === null || retryAt < next)) next = retryAt;
    }
    return next;
  }

  /** Drops subjects that are no longer open drift (fixed by someone else, or gone). */
  retain(openSubjects: ReadonlySet<string>): void {
    for (const subject of this.#entries.keys()) {
      if (!openSubjects.has(subject)) this.#entries.delete(subject);
    }
  }

  /** Number of subjects with a recorded failure. */
  get size(): number {
    return this.#entries.size;
  }
}
