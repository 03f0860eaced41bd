/**
 * The reconcile engine as the daemon and the CLI see it: runs passes, keeps the last plan, and
 * answers the read API and cleanup requests. Implements the daemon's {@link EnginePort}.
 */
import { sql } from 'kysely';
import type {
  CheckResult, EnginePort, FailedExecutionCleanupAnswer, JobCleanupAnswer, PassOptions, PassReport,
} from '../daemon/engine-port.js';
import type { World } from '../world/world.js';
import type { EngineDeps } from './engine-deps.js';
import { explainSubject } from './explain.js';
import { requestCleanup, findFailedExecutionJob } from './cleanup-request.js';
import { runPass, type PassResult } from './run-pass.js';
import { listActions } from './store/audit-log.js';
import { readCleanupRequest } from './store/cleanup-requests.js';
import type { GatedDrift, PlanJson } from './types.js';

/** The engine plus what the status page needs beyond the port. */
export interface Engine extends EnginePort {
  /** The world and gated drift of the last pass (status page, explain). */
  lastPass(): { readonly world: World; readonly gated: readonly GatedDrift[]; readonly isLeader: boolean } | null;
  readonly deps: EngineDeps;
}

const TERMINAL = new Set(['done', 'failed', 'refused']);

/** Creates the engine over its dependencies. */
export function createEngine(deps: EngineDeps): Engine {
  let last: PassResult | null = null;
  let lastLeader = false;
  let annotationSignature = '';

  const runOne = async (options: PassOptions): Promise<PassReport> => {
    const result = await runPass(deps, {
      passId: options.passId,
      signal: options.signal,
      act: options.act,
      isLeader: options.act,
      fence: options.fence,
      backoff: options.backoff,
    });
    last = result;
    lastLeader = options.act;
    return result.report;
  };

  return {
    deps,
    runPass: runOne,
    lastPass: () => (last ? { world: last.world, gated: last.gated, isLeader: lastLeader } : null),
    lastPlan: (): PlanJson | null => last?.plan ?? null,

    async hasNewAnnotations() {
      // Rows that ask for a cleanup not yet started (no status, or accepted by the CLI/API). The signature
      // changes only when that set changes, so a waiting request triggers one pass, not one per poll.
      const rows = await sql<{ id: string }>`
        select concat('r:', id) as id from replication_jobs
          where json_value(annotations, '$."oma-reconciler/cleanup"') = 'requested'
            and coalesce(json_value(annotations, '$."oma-reconciler/cleanup-status"'), 'accepted') = 'accepted'
        union all
        select concat('f:', job_id) from failover_jobs
          where json_value(annotations, '$."oma-reconciler/cleanup"') = 'requested'
            and coalesce(json_value(annotations, '$."oma-reconciler/cleanup-status"'), 'accepted') = 'accepted'`.execute(deps.database.db);
      const signature = rows.rows.map((r) => r.id).sort().join(',');
      const changed = signature !== '' && signature !== annotationSignature;
      annotationSignature = signature;
      return changed;
    },

    async explain(subject: string) {
      if (!last) return null;
      const explanation = explainSubject(last.world, last.gated, subject);
      if (!explanation) return null;
      const actions = await listActions(deps.database.db, 50, subject);
      return { ...explanation, recordedActions: actions };
    },

    recentActions: (limit: number) => listActions(deps.database.db, limit),
    cleanupStatus: (jobId: string) => readCleanupRequest(deps.database.db, jobId),

    requestJobCleanup: (jobId: string, by: string, keepVolumes: boolean): Promise<JobCleanupAnswer> =>
      requestCleanup(deps.database.db, jobId, by, keepVolumes, deps.clock()),

    async requestFailedExecutionCleanup(vmName, by, waitSeconds, signal): Promise<FailedExecutionCleanupAnswer> {
      const job = await findFailedExecutionJob(deps.database.db, vmName);
      if (!job) return { success: false, message: `no failover or rollback of ${vmName} can be cleaned up`, job_id: null, status: 'not-found' };
      const answer = await requestCleanup(deps.database.db, job.jobId, by, false, deps.clock());
      if (answer.outcome === 'refused' || answer.outcome === 'not-found') {
        return { success: false, message: answer.message, job_id: job.jobId, status: answer.status ?? 'refused' };
      }
      const deadline = Date.now() + waitSeconds * 1000;
      let status = answer.status ?? 'accepted';
      let message = answer.message;
      while (!TERMINAL.has(status) && Date.now() < deadline && !signal.aborted) {
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
      const database: CheckResult = await sql`select 1`.execute(deps.database.db).then(
        () => ({ ok: true }),
        (e: unknown) => ({ ok: false, detail: (e as Error).message }),
      );
      const source = (name: 'cloudstack' | 'nbd'): CheckResult => {
        if (!last) return { ok: true, detail: 'no pass yet' };
        const s = last.world.sources[name];
        return s.complete ? { ok: true } : { ok: false, detail: s.error ?? 'incomplete' };
      };
      return { database, cloudstack: source('cloudstack'), nbd: source('nbd') };
    },
  };
}
