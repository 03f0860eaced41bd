import { coerceError } from '../errors.js';
import type { Logger } from '../log.js';

interface Releaser {
  readonly name: string;
  readonly release: () => void | Promise<void>;
}

/**
 * A stack of clean-ups run in LIFO order: what was acquired last is released first (the HTTP
 * server before the loop it reports on, the lock session before the pool). Every releaser runs
 * even when an earlier one fails; the first error is kept and returned.
 */
export class Releasers {
  readonly #stack: Releaser[] = [];
  #released = false;

  /** Registers a clean-up for something just acquired. */
  push(name: string, release: () => void | Promise<void>): void {
    if (this.#released) throw new Error(`cannot register "${name}": resources were already released`);
    this.#stack.push({ name, release });
  }

  /** Runs every clean-up once, newest first; resolves with the first error (or null). */
  async releaseAll(logger: Logger): Promise<Error | null> {
    if (this.#released) return null;
    this.#released = true;
    let first: Error | null = null;
    for (const { name, release } of this.#stack.reverse()) {
      try {
        await release();
        logger.debug({ resource: name }, 'released');
      } catch (e) {
        const err = coerceError(e);
        logger.error({ resource: name, err }, 'release failed');
        first ??= err;
      }
    }
    return first;
  }
}
