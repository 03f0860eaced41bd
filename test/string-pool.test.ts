import { describe, expect, it } from 'vitest';
import { createStringPool, noStringPool } from '../src/string-pool.js';

describe('string pool', () => {
  it('hands back equal values unchanged and lets null through', () => {
    const pool = createStringPool();
    const ids = ['ctx-a', 'ctx-b', 'ctx-a', ['ctx', 'a'].join('-'), 'ctx-b'];
    expect(ids.map((id) => pool(id))).toEqual(ids);
    expect(pool(null)).toBeNull();
    expect(noStringPool('ctx-a')).toBe('ctx-a');
    expect(noStringPool(null)).toBeNull();
  });

  it('keeps the values of one read apart from those of another (a pool per read)', () => {
    const first = createStringPool();
    const second = createStringPool();
    expect(first('attached')).toBe('attached');
    expect(second('attached')).toBe('attached');
  });
});
