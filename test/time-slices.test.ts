import { describe, expect, it } from 'vitest';
import { forEachTimeSliced } from '../src/time-slices.js';

/** A synchronous step that keeps the event loop busy until `ms` of wall clock have passed. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: stands for a synchronous file read
  }
}

describe('time-sliced loops', () => {
  it('visits every item once, in order', async () => {
    const seen: number[] = [];
    await forEachTimeSliced([1, 2, 3, 4, 5], (n) => seen.push(n));
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('lets other work of the event loop run while a long series of steps is under way', async () => {
    let stepsBeforeTheTimer: number | null = null;
    let steps = 0;
    setTimeout(() => {
      stepsBeforeTheTimer = steps;
    }, 0);
    // 40 steps of 1 ms each with 4 ms slices: the loop yields about ten times.
    await forEachTimeSliced(
      Array.from({ length: 40 }, (_, i) => i),
      () => {
        busyFor(1);
        steps++;
      },
      4,
    );
    expect(stepsBeforeTheTimer).not.toBeNull();
    expect(stepsBeforeTheTimer).toBeLessThan(40);
  });

  it('stops at a step that throws, as a plain loop would', async () => {
    const seen: number[] = [];
    await expect(
      forEachTimeSliced([1, 2, 3], (n) => {
        if (n === 2) throw new Error('unreadable');
        seen.push(n);
      }),
    ).rejects.toThrow('unreadable');
    expect(seen).toEqual([1]);
  });
});
