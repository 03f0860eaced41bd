/**
 * Deduplication of the strings one observation reads. Every row and every API object arrives with
 * its own copies of values that repeat across rows and tables — a context id on ~14 rows of its
 * context, the OMA VM id on every volume attached to it, `attached`/`Ready`/`oma` on most rows —
 * and the world keeps them all for the whole pass (and the next, as the engine's last pass). A pool
 * hands back the first instance of each value (benchmark at 10,000 VMs: 51 MB of a 148 MB heap
 * were duplicate strings). Use one pool per read; it is garbage with the read.
 */

/** Returns the pooled instance of `value` (null passes through); the type is kept (enums stay enums). */
export type StringPool = <T extends string | null>(value: T) => T;

/** A fresh, empty pool. */
export function createStringPool(): StringPool {
  const pool = new Map<string, string>();
  const intern = (value: string | null): string | null => {
    if (value === null) return null;
    const hit = pool.get(value);
    if (hit !== undefined) return hit;
    pool.set(value, value);
    return value;
  };
  return intern as StringPool;
}

/** A pool that pools nothing (readers called on their own). */
export const noStringPool: StringPool = ((value: string | null) => value) as StringPool;
