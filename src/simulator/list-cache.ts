/**
 * The per-state-version query cache of the `list*` commands: paging through 150,000 volumes filters
 * once, not once per page.
 */
/** Filtered result sets keyed by query, valid for one state version. */
export class ListCache {
  readonly #entries = new Map<string, { readonly version: number; readonly items: readonly unknown[] }>();

  /** The cached items for `key` at `version`, computing them when absent or stale. */
  get<T>(key: string, version: number, compute: () => T[]): readonly T[] {
    const hit = this.#entries.get(key);
    if (hit?.version === version) return hit.items as readonly T[];
    const items = compute();
    if (this.#entries.size >= 32) this.#entries.clear();
    this.#entries.set(key, { version, items });
    return items;
  }
}
