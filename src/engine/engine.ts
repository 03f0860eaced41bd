/**
 * The reconcile engine as the daemon and the CLI see it: runs passes, keeps the last plan, and
 * answers the read API and cleanup requests. Implements the daemon's {@link EnginePort}.
 */
import type {
  CheckResult,
  EnginePort,
  FailedExecutionCleanupAnswer,
  JobCleanupAnswer,
  PassOptions,
  PassReport,
} from '../reconcile/engine-port.js';
import type { World } from '../world/world.js';
import type { EngineDeps } from './engine-deps.js';
import { explainSubject } from './explain.js';
import { requestCleanup, findFailedExecutionJob } from './cleanup-request.js';
import { relatedSubjects } from './related-subjects.js';
import { runPass } from './run-pass.js';
import { listActions } from './store/audit-log.js';
import { readCleanupRequest } from './store/cleanup-requests.js';
import { clearModeCeiling, pingDatabase, readPendingCleanupIds } from './store/engine-queries.js';
import { isCleanupFinal } from '../reconcile/outcomes.js';
import type { GatedDrift, PlanJson } from '../reconcile/types.js';

/** The engine plus what the status page needs beyond the port. */
export interface Engine extends EnginePort {
  /**
   * The world and gated drift of the last pass (status page, explain). While a pass runs, the one
   * before it is already released, so this waits for the running pass to finish.
   */
  lastPass(): Promise<LastPass | null>;
  /**
   * Lifts the mode ceiling a budget trip set (`apply --reset-budget`; the caller checks it is the
   * leader). Returns the ceiling that was in force, null when the budget had not tripped.
   */
  resetModeCeiling(): Promise<{ readonly reason?: string } | null>;
  readonly deps: EngineDeps;
}

/** What the engine keeps of its last completed pass. */
export interface LastPass {
  readonly world: World;
  readonly gated: readonly GatedDrift[];
  readonly isLeader: boolean;
}

/** Creates the engine over its dependencies. */
export function createEngine(deps: EngineDeps): Engine {
  let last: LastPass | null = null;
  // Kept apart from `last`: small, and still answered while a pass runs (checks read its sources).
  let lastPlan: PlanJson | null = null;
  let running: Promise<unknown> | null = null;
  let annotationSignature = '';

  const runOne = async (options: PassOptions): Promise<PassReport> => {
    // The previous world is released before the next one is observed: holding both doubled the
    // heap at its peak (benchmark, 10,000 VMs: two worlds of ~73 MB each). Readers of `last` wait.
    last = null;
    const pass = runPass(deps, {
      passId: options.passId,
      signal: options.signal,
      act: options.act,
      isLeader: options.act,
      fence: options.fence,
      backoff: options.backoff,
    });
    running = pass;
    try {
      const result = await pass;
      last = { world: result.world, gated: result.gated, isLeader: options.act };
      lastPlan = result.plan;
      return result.report;
    } finally {
      if (running === pass) running = null;
    }
  };

  /** The last completed pass, after the running one (if any) has finished. */
  const settledPass = async (): Promise<LastPass | null> => {
    while (running) await running.catch(() => undefined);
    return last;
  };

  return {
    deps,
    runPass: runOne,
    lastPass: settledPass,
    lastPlan: (): PlanJson | null => lastPlan,
    resetModeCeiling: () => clearModeCeiling(deps.database.db),

    async hasNewAnnotations() {
      // Rows that ask for a cleanup not yet started (no status, or accepted by the CLI/API). The signature
      // changes only when that set changes, so a waiting request triggers one pass, not one per poll.
      const signature = (await readPendingCleanupIds(deps.database.db)).sort().join(',');
      const changed = signature !== '' && signature !== annotationSignature;
      annotationSignature = signature;
      return changed;
    },

    async explain(subject: string) {
      const pass = await settledPass();
      if (!pass) return null;
      const explanation = explainSubject(pass.world, pass.gated, subject);
      if (!explanation) return null;
      const actions = await listActions(deps.database.db, 50, relatedSubjects(pass.world, subject));
      return { ...explanation, recordedActions: actions };
    },

    recentActions: (limit: number) => listActions(deps.database.db, limit),
    cleanupStatus: (jobId: string) => readCleanupRequest(deps.database.db, jobId),

    requestJobCleanup: (jobId: string, by: string, keepVolumes: boolean): Promise<JobCleanupAnswer> =>
      requestCleanup(deps.database.db, jobId, by, keepVolumes, deps.clock()),

    async requestFailedExecutionCleanup(vmName, by, waitSeconds, signal): Promise<FailedExecutionCleanupAnswer> {
      const job = await findFailedExecutionJob(deps.database.db, vmName);
      if (!job) {
        return {
          success: false,
          message: `no failover or rollback of ${vmName} can be cleaned up`,
          job_id: null,
          status: 'not-found',
        };
      }
      const answer = await requestCleanup(deps.database.db, job.jobId, by, false, deps.clock());
      if (answer.outcome === 'refused' || answer.outcome === 'not-found') {
        return { success: false, message: answer.message, job_id: job.jobId, status: answer.status ?? 'refused' };
      }
      const deadline = deps.clock().getTime() + waitSeconds * 1000;
      let status = answer.status ?? 'accepted';
      let message = answer.message;
      while (!isCleanupFinal(status) && deps.clock().getTime() < deadline && !signal.aborted) {
        await new Promise((r) => setTimeout(r, 500));
        const record = await readCleanupRequest(deps.database.db, job.jobId);
        if (record) {
          status = record.status as typeof status;
          message = record.message ?? message;
        }
      }
      const success = status !== 'failed' && status !== 'refused';
      return {
        success,
        message: status === 'done' ? `Failed execution cleanup completed for ${vmName}` : message,
        job_id: job.jobId,
        status,
      };
    },

    async checks() {
      const database: CheckResult = await pingDatabase(deps.database.db).then(
        () => ({ ok: true }),
        (e: unknown) => ({ ok: false, detail: (e as Error).message }),
      );
      const source = (name: 'cloudstack' | 'nbd'): CheckResult => {
        if (!lastPlan) return { ok: true, detail: 'no pass yet' };
        const s = lastPlan.sources[name];
        return s.complete ? { ok: true } : { ok: false, detail: s.error ?? 'incomplete' };
      };
      return { database, cloudstack: source('cloudstack'), nbd: source('nbd') };
    },
  };
}
