/**
 * Async jobs of the simulator. A job is accepted at once (`{jobid}`), stays pending for the
 * configured duration, then runs its business rules: success → `jobstatus` 1 with the result
 * object, refusal → `jobstatus` 2 with `{errorcode, errortext}` and `jobresultcode` = errorcode.
 * Finished jobs are forgotten after `jobExpiryMs` (a later query answers 431).
 */
import { randomUUID } from 'node:crypto';
import { SimApiError } from './sim-api-error.js';
import type { SimConfig } from './sim-config.js';
import type { SimAccount } from './sim-types.js';

export interface SimJob {
  readonly id: string;
  readonly command: string;
  /** Java class of the command, as `cmd` shows it. */
  readonly cmdClass: string;
  readonly instanceType: string | null;
  readonly instanceId: string | null;
  readonly account: string;
  readonly accountId: string;
  readonly userId: string;
  readonly created: number;
  status: 0 | 1 | 2;
  resultCode: number;
  result: Record<string, unknown> | null;
  completed: number | null;
}

/** What a handler hands over to run later inside the job. */
export interface JobSpec {
  readonly instanceType: string | null;
  readonly instanceId: string | null;
  /** Applies the rules and the change; returns `jobresult`. Throw {@link SimApiError} to fail the job. */
  readonly run: () => Record<string, unknown>;
  /** Runs once the job id is known (marks the object as having a pending job). */
  readonly onSubmit?: (jobId: string) => void;
  /** Runs after the job settled either way (clears pending markers). */
  readonly settle?: () => void;
}

/** Per-job overrides from fault injection. */
export interface JobFaults {
  readonly durationMs?: number | undefined;
  /** Never finishes (until the simulator closes). */
  readonly hang?: boolean | undefined;
  /** Fails with this instead of running the rules. */
  readonly failure?: { readonly errorcode: number; readonly errortext: string } | undefined;
}

/** The job table and its timers. */
export class SimJobs {
  readonly #jobs = new Map<string, SimJob>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Completion of each pending job (also of hung ones), so tests can run it at a chosen moment. */
  readonly #completions = new Map<string, { readonly timer: NodeJS.Timeout | null; readonly complete: () => void }>();
  /** Follow-ups (snapshot backup, delayed expunge) not run yet. */
  readonly #followUps = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly config: SimConfig,
    private readonly now: () => number,
  ) {}

  /** Queues a job; `spec.run` executes after the configured (or injected) duration. */
  submit(command: string, cmdClass: string, caller: SimAccount, spec: JobSpec, faults: JobFaults = {}): SimJob {
    const job: SimJob = {
      id: randomUUID(),
      command,
      cmdClass,
      instanceType: spec.instanceType,
      instanceId: spec.instanceId,
      account: caller.name,
      accountId: caller.id,
      userId: caller.userId,
      created: this.now(),
      status: 0,
      resultCode: 0,
      result: null,
      completed: null,
    };
    this.#jobs.set(job.id, job);
    spec.onSubmit?.(job.id);
    const complete = () => {
      this.#completions.delete(job.id);
      this.#finish(job, spec, faults);
    };
    const timer = faults.hang ? null : this.#later(faults.durationMs ?? this.config.asyncJobDurationMs, complete);
    this.#completions.set(job.id, { timer, complete });
    return job;
  }

  /** Schedules a follow-up (snapshot backup, delayed expunge) that `close()` cancels. */
  later(ms: number, fn: () => void): void {
    const timer = this.#later(ms, () => {
      this.#followUps.delete(timer);
      fn();
    });
    this.#followUps.set(timer, fn);
  }

  /** Runs a pending (or hung) job now instead of at its time. Returns false when it is not pending. */
  completeNow(jobId: string): boolean {
    const pending = this.#completions.get(jobId);
    if (!pending) return false;
    if (pending.timer) this.#cancel(pending.timer);
    pending.complete();
    return true;
  }

  /** Runs every scheduled follow-up now (snapshot BackingUp → BackedUp, delayed expunges). */
  runFollowUpsNow(): number {
    const due = [...this.#followUps];
    for (const [timer, fn] of due) {
      this.#cancel(timer);
      this.#followUps.delete(timer);
      fn();
    }
    return due.length;
  }

  /** The job, or undefined when unknown or expired. */
  get(id: string): SimJob | undefined {
    const job = this.#jobs.get(id);
    if (job?.completed != null && this.now() - job.completed > this.config.jobExpiryMs) {
      this.#jobs.delete(id);
      return undefined;
    }
    return job;
  }

  /** Jobs of an account (all when null), oldest first, expired ones dropped. */
  list(account: string | null): SimJob[] {
    return [...this.#jobs.keys()]
      .map((id) => this.get(id))
      .filter((j): j is SimJob => j !== undefined && (account === null || j.account === account));
  }

  /** Jobs still pending. */
  pendingCount(): number {
    let n = 0;
    for (const j of this.#jobs.values()) if (j.status === 0) n++;
    return n;
  }

  /** Cancels every timer (pending jobs stay pending). */
  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#completions.clear();
    this.#followUps.clear();
  }

  #later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    this.#timers.add(timer);
    return timer;
  }

  #cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  #finish(job: SimJob, spec: JobSpec, faults: JobFaults): void {
    try {
      if (faults.failure) throw new SimApiError(faults.failure.errorcode, null, faults.failure.errortext);
      job.result = spec.run();
      job.status = 1;
    } catch (e) {
      // ApiAsyncJobDispatcher: a ServerApiException keeps its code, anything else becomes 530.
      const err = e instanceof SimApiError ? e : SimApiError.internal(e instanceof Error ? e.message : String(e));
      job.status = 2;
      job.resultCode = err.errorcode;
      job.result = { errorcode: err.errorcode, errortext: err.errortext };
    } finally {
      job.completed = this.now();
      spec.settle?.();
    }
  }
}
