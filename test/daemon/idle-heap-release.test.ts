/**
 * Between passes the daemon compacts its heap once it has been idle for a moment (issue 17: idle
 * memory), never while a pass runs and never once per pass of a burst.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { idleHeapRelease, releaseIdleHeap } from '../../src/daemon/heap-tuning.js';

describe('the idle heap release after a pass', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once after a burst of passes, when the daemon has stayed idle', () => {
    const release = vi.fn();
    const afterPass = idleHeapRelease(() => false, 1_000, release);
    afterPass();
    vi.advanceTimersByTime(500);
    afterPass();
    vi.advanceTimersByTime(999);
    expect(release).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('does not run while the next pass is already running', () => {
    const release = vi.fn();
    const afterPass = idleHeapRelease(() => true, 1_000, release);
    afterPass();
    vi.advanceTimersByTime(5_000);
    expect(release).not.toHaveBeenCalled();
  });

  it('really collects: memory a pass dropped is gone from the heap afterwards', () => {
    vi.useRealTimers();
    const holder: { garbage: number[][] | null } = {
      garbage: Array.from({ length: 2_000 }, () => Array.from({ length: 1_000 }, (_, i) => i)),
    };
    const held = process.memoryUsage().heapUsed;
    holder.garbage = null;
    releaseIdleHeap();
    // ~16 MB of arrays were dropped; a full collection returns most of it.
    expect(process.memoryUsage().heapUsed).toBeLessThan(held - 8 * 2 ** 20);
  });
});
