import type { EnginePassOptions } from './engine-deps.js';

/**
 * The options of a pass that only plans (`plan`, `explain`, the demo's first look): it gates as
 * the leader would, so the plan shows what a leader's pass would do, yet never acts.
 */
export function planOnlyPass(passId: string, signal: AbortSignal): EnginePassOptions {
  return { passId, signal, act: false, isLeader: true, fence: () => Promise.resolve(false) };
}
