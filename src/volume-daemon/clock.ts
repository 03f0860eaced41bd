/** Time as the client sees it; tests inject a virtual clock so a 2-minute wait takes no real time. */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Resolves after `ms` (rejects when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await delay(ms, undefined, signal ? { signal } : {});
  },
};
