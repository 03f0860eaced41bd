import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/daemon/backoff.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('Backoff', () => {
  it('doubles the delay with each consecutive failure until the cap', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 10_000, random: () => 0.5 });
    const delays = Array.from({ length: 6 }, () => b.failure('s'));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('keeps each delay between half and one and a half times the nominal delay', () => {
    const low = new Backoff({ baseMs: 1000, random: () => 0 });
    const high = new Backoff({ baseMs: 1000, random: () => 0.999999 });
    expect(low.failure('s')).toBe(500);
    expect(high.failure('s')).toBe(1500);
  });

  it('lets a subject be retried only once its delay has passed', () => {
    const clock = manualClock();
    const b = new Backoff({ baseMs: 1000, random: () => 0.5, now: clock.now });
    b.failure('s');
    expect(b.mayRetry('s')).toBe(false);
    expect(b.retryAt('s')).toBe(clock.now() + 1000);
    clock.advance(999);
    expect(b.mayRetry('s')).toBe(false);
    clock.advance(1);
    expect(b.mayRetry('s')).toBe(true);
    expect(b.retryAt('s')).toBeNull();
  });

  it('starts again from the base delay after a success', () => {
    const b = new Backoff({ baseMs: 1000, random: () => 0.5 });
    b.failure('s');
    b.failure('s');
    b.success('s');
    expect(b.failures('s')).toBe(0);
    expect(b.mayRetry('s')).toBe(true);
    expect(b.failure('s')).toBe(1000);
  });

  it('tracks subjects independently', () => {
    const b = new Backoff({ baseMs: 1000, random: () => 0.5 });
    b.failure('a');
    b.failure('a');
    expect(b.failure('b')).toBe(1000);
    expect(b.failures('a')).toBe(2);
  });

  it('makes a terminal failure wait the full cap at once', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 60_000, random: () => 0.5 });
    expect(b.failure('s', { terminal: true })).toBe(60_000);
  });

  it('reports the earliest pending retry and forgets subjects that are no longer drift', () => {
    const clock = manualClock();
    const b = new Backoff({ baseMs: 1000, random: () => 0.5, now: clock.now });
    b.failure('a');
    b.failure('b');
    b.failure('b');
    expect(b.nextRetryAt()).toBe(clock.now() + 1000);
    b.retain(new Set(['b']));
    expect(b.size).toBe(1);
    expect(b.nextRetryAt()).toBe(clock.now() + 2000);
  });
});
