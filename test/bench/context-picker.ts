import type { WorldContext } from '../../src/appliance-world/appliance-world.js';

/**
 * Hands out contexts of a given status, each at most once, spread evenly over the fleet (every
 * k-th one) so injected drift is not bunched at the start of the id range.
 */
export class ContextPicker {
  readonly #byStatus = new Map<string, WorldContext[]>();
  readonly #taken = new Set<string>();

  constructor(contexts: readonly WorldContext[]) {
    for (const c of contexts) {
      const list = this.#byStatus.get(c.status);
      if (list) list.push(c);
      else this.#byStatus.set(c.status, [c]);
    }
  }

  /** `count` contexts in `status` not handed out before; throws when the fleet has too few. */
  take(status: string, count: number): WorldContext[] {
    const pool = (this.#byStatus.get(status) ?? []).filter((c) => !this.#taken.has(c.contextId));
    if (pool.length < count) throw new RangeError(`only ${pool.length} free ${status} contexts, ${count} wanted`);
    // floor(j * n / count) is strictly increasing in j when n >= count: distinct, evenly spread.
    const out = Array.from({ length: count }, (_, j) => pool[Math.floor((j * pool.length) / count)] as WorldContext);
    for (const c of out) this.#taken.add(c.contextId);
    return out;
  }
}
