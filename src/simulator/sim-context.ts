/** What a simulated command handler receives and returns. */
import type { SimConfig } from './sim-config.js';
import type { FaultRule } from './sim-faults.js';
import type { JobSpec, SimJobs } from './sim-jobs.js';
import type { ListCache } from './list-cache.js';
import type { SimParams } from './sim-params.js';
import type { SimState } from './sim-state.js';
import type { SimAccount } from './sim-types.js';

export interface SimContext {
  readonly state: SimState;
  readonly jobs: SimJobs;
  readonly config: SimConfig;
  readonly params: SimParams;
  /** The account owning the request's API key. */
  readonly caller: SimAccount;
  readonly cache: ListCache;
  /** The fault rule that fired for this request, if any (list and job effects). */
  readonly fault: FaultRule | null;
  readonly now: () => number;
}

/** A sync answer (the object inside `<cmd>response`), or a job to queue (`{jobid}` / `{id, jobid}`). */
export type SimOutcome =
  | { readonly kind: 'sync'; readonly body: Record<string, unknown> }
  | { readonly kind: 'job'; readonly spec: JobSpec; readonly createdId?: string };

/** One API command of the simulator. */
export interface SimCommand {
  /** Java class shown as a job's `cmd` (async commands only). */
  readonly cmdClass?: string;
  readonly handle: (ctx: SimContext) => SimOutcome;
}

/** Shorthand for a sync outcome. */
export function sync(body: Record<string, unknown>): SimOutcome {
  return { kind: 'sync', body };
}
