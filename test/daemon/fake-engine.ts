import { EventEmitter } from 'node:events';
import type {
  CheckResult,
  EnginePort,
  FailedExecutionCleanupAnswer,
  JobCleanupAnswer,
  PassOptions,
  PassReport,
} from '../../src/reconcile/engine-port.js';
import type { PlanJson } from '../../src/reconcile/types.js';

const COMPLETE = { complete: true } as const;

/** A plan with one orphan volume, as a follower or leader would serve it. */
export function samplePlan(observedAt = new Date().toISOString()): PlanJson {
  return {
    observedAt,
    mode: 'enforce',
    sources: { database: COMPLETE, cloudstack: COMPLETE, nbd: COMPLETE, devices: COMPLETE, 'volume-daemon': COMPLETE },
    drift: [
      {
        id: 'orphan-volume:volume:v1',
        kind: 'orphan-volume',
        class: 'orphan',
        subject: { type: 'volume', id: 'v1', name: 'migration-web01-web01-disk-0' },
        firstSeenAt: '2026-01-01T00:00:00.000Z',
        evidence: [{ source: 'cloudstack', fact: 'volume v1 is not referenced by ossea_volumes' }],
        actions: [{ action: 'delete-volume', destructive: true, decision: 'run', blockedBy: null }],
      },
    ],
    summary: { drift: 1, actionsToRun: 1, actionsBlocked: 0, complete: true },
  };
}

/**
 * In-memory {@link EnginePort}: each pass "repairs" every subject in `subjects` when it may act,
 * awaiting `fence()` before each mutation exactly as the real engine must. `actionHook` lets a
 * test hold an action in flight. Events: `pass-start`, `action-start`, `mutation`, `pass-end`.
 */
export class FakeEngine extends EventEmitter implements EnginePort {
  readonly name: string;
  subjects: string[] = ['orphan-volume:volume:v1'];
  /** Subjects whose action fails (result `error`). */
  failing = new Set<string>();
  readonly passes: PassOptions[] = [];
  readonly mutations: { passId: string; subject: string }[] = [];
  readonly calls: { method: string; args: unknown[] }[] = [];
  /** Awaited inside each action, after the fence and before the mutation is recorded. */
  actionHook: (signal: AbortSignal) => Promise<void> = () => Promise.resolve();
  /** Replaces the whole pass (e.g. to hang or throw). */
  passOverride: ((opts: PassOptions) => Promise<PassReport>) | null = null;
  annotations = false;
  plan: PlanJson | null = null;
  checkResults: Record<'database' | 'cloudstack' | 'nbd', CheckResult> = {
    database: { ok: true },
    cloudstack: { ok: true },
    nbd: { ok: true },
  };
  jobCleanupAnswer: JobCleanupAnswer = { outcome: 'accepted', status: 'accepted', message: 'cleanup requested' };
  failedCleanupAnswer: FailedExecutionCleanupAnswer = {
    success: true,
    message: 'cleanup accepted',
    job_id: 'failover-1',
    status: 'accepted',
  };

  constructor(name = 'engine') {
    super();
    this.name = name;
  }

  async runPass(opts: PassOptions): Promise<PassReport> {
    this.passes.push(opts);
    this.emit('pass-start', opts);
    if (this.passOverride) return this.passOverride(opts);
    const actions: PassReport['actions'][number][] = [];
    const blocked: PassReport['blocked'][number][] = [];
    for (const subject of this.subjects) {
      if (!opts.backoff.mayRetry(subject)) continue;
      if (!opts.act || !(await opts.fence())) {
        blocked.push({ driftId: subject, kind: 'orphan-volume', action: 'delete-volume', gate: 'not-leader' });
        continue;
      }
      this.emit('action-start', subject);
      await this.actionHook(opts.signal);
      if (this.failing.has(subject)) {
        actions.push({
          driftId: subject,
          kind: 'orphan-volume',
          action: 'delete-volume',
          result: 'error',
          error: 'simulated failure',
        });
        continue;
      }
      this.mutations.push({ passId: opts.passId, subject });
      this.emit('mutation', subject);
      actions.push({ driftId: subject, kind: 'orphan-volume', action: 'delete-volume', result: 'success' });
    }
    const report: PassReport = {
      observedAt: new Date().toISOString(),
      mode: 'enforce',
      sources: {
        database: COMPLETE,
        cloudstack: COMPLETE,
        nbd: COMPLETE,
        devices: COMPLETE,
        'volume-daemon': COMPLETE,
      },
      drift: this.subjects.map((id) => ({
        id,
        kind: 'orphan-volume' as const,
        class: 'orphan' as const,
        firstSeenAt: '2026-01-01T00:00:00.000Z',
      })),
      actions,
      blocked,
      trips: [],
      cleanupRequests: { accepted: 1 },
    };
    this.plan = samplePlan(report.observedAt);
    this.emit('pass-end', report);
    return report;
  }

  hasNewAnnotations(): Promise<boolean> {
    const found = this.annotations;
    this.annotations = false;
    return Promise.resolve(found);
  }

  lastPlan(): PlanJson | null {
    return this.plan;
  }

  explain(subject: string): Promise<unknown> {
    this.calls.push({ method: 'explain', args: [subject] });
    return Promise.resolve(subject === 'v1' ? { subject, drift: ['orphan-volume:volume:v1'] } : null);
  }

  recentActions(limit: number): Promise<readonly unknown[]> {
    this.calls.push({ method: 'recentActions', args: [limit] });
    return Promise.resolve([{ id: 1, action: 'delete-volume', result: 'success' }]);
  }

  cleanupStatus(jobId: string): Promise<unknown> {
    this.calls.push({ method: 'cleanupStatus', args: [jobId] });
    return Promise.resolve(jobId === 'job-1' ? { jobId, status: 'done' } : null);
  }

  requestJobCleanup(jobId: string, by: string, keepVolumes: boolean): Promise<JobCleanupAnswer> {
    this.calls.push({ method: 'requestJobCleanup', args: [jobId, by, keepVolumes] });
    return Promise.resolve(this.jobCleanupAnswer);
  }

  requestFailedExecutionCleanup(
    vmName: string,
    by: string,
    waitSeconds: number,
    signal: AbortSignal,
  ): Promise<FailedExecutionCleanupAnswer> {
    this.calls.push({ method: 'requestFailedExecutionCleanup', args: [vmName, by, waitSeconds, signal] });
    return Promise.resolve(this.failedCleanupAnswer);
  }

  checks(): Promise<Record<'database' | 'cloudstack' | 'nbd', CheckResult>> {
    return Promise.resolve(this.checkResults);
  }
}

/** Resolves on the next `event` emitted by `emitter` that satisfies `predicate`. */
export function nextEvent<T>(
  emitter: EventEmitter,
  event: string,
  predicate: (value: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const listener = (value: T): void => {
      if (!predicate(value)) return;
      emitter.off(event, listener);
      resolve(value);
    };
    emitter.on(event, listener);
  });
}
