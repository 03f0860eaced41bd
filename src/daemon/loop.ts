import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config-schema.js';
import { coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PassOutcome } from '../reconcile/outcomes.js';
import type { ReconcilerMetrics } from '../metrics/registry.js';
import { SOURCES } from '../world/drift-kinds.js';
import { Backoff } from './backoff.js';
import type { EnginePort, PassReport, PassSummary, PassTrigger } from '../reconcile/engine-port.js';

export type { PassSummary } from '../reconcile/engine-port.js';
import { PassScheduler } from './pass-scheduler.js';
import { recordPassMetrics } from './record-pass-metrics.js';
import {
  nodeCronScheduler,
  startAnnotationPoll,
  startNbdTrigger,
  startScheduleTrigger,
  type CloseTrigger,
  type CronScheduler,
  type NbdWatch,
} from './trigger-sources.js';

/** What the loop is built from. */
export interface PassLoopDeps {
  readonly engine: EnginePort;
  readonly metrics: ReconcilerMetrics;
  readonly logger: Logger;
  readonly schedule: Config['schedule'];
  /** Whether this instance may act when a pass starts (holds the leader lock). */
  readonly isLeader: () => boolean;
  /** Leadership fencing check, awaited by the engine immediately before every mutation. */
  readonly fence: () => Promise<boolean>;
  readonly watchNbd: NbdWatch;
  /** Per-subject backoff. Default: base 5 s, factor 2, cap 15 min. */
  readonly backoff?: Backoff;
  /** Default: node-cron v4. */
  readonly cron?: CronScheduler;
  /** Default Math.random (schedule jitter). */
  readonly random?: () => number;
  /** Default Date.now. */
  readonly now?: () => number;
}

/** How {@link PassLoop.drain} ended: no pass ran, it finished in time, it was aborted, or it ignored the abort. */
export type DrainOutcome = 'idle' | 'finished' | 'aborted' | 'abandoned';

/** How long an aborted pass gets to notice its signal before shutdown goes on without it, ms. */
const ABORT_SETTLE_MS = 5_000;

function settledWithin(p: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, ms);
    void p.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * The pass loop: turns triggers into passes (one at a time, one coalesced follow-up), hands each
 * pass its abort signal, fence and backoff, and is the ONLY place pass outcomes become metrics,
 * backoff entries and the outcome log line.
 */
export class PassLoop {
  readonly #deps: PassLoopDeps;
  readonly #backoff: Backoff;
  readonly #now: () => number;
  readonly #scheduler: PassScheduler;
  /** Aborted when shutdown's grace runs out or a second signal arrives. */
  readonly #shutdown = new AbortController();
  readonly #listeners = new Set<(summary: PassSummary) => void>();
  #closers: CloseTrigger[] = [];
  #retryTimer: NodeJS.Timeout | null = null;
  #draining = false;

  constructor(deps: PassLoopDeps) {
    this.#deps = deps;
    this.#backoff = deps.backoff ?? new Backoff();
    this.#now = deps.now ?? Date.now;
    this.#scheduler = new PassScheduler((trigger) => this.#runPass(trigger));
  }

  /** Starts the trigger sources and the first pass. */
  start(): void {
    const { schedule, logger } = this.#deps;
    const fire = (trigger: PassTrigger): void => {
      this.trigger(trigger);
    };
    this.#closers.push(
      startScheduleTrigger({
        cron: this.#deps.cron ?? nodeCronScheduler,
        expression: schedule.resyncCron,
        jitterMs: schedule.jitterMs,
        random: this.#deps.random ?? Math.random,
        logger,
        fire,
      }),
    );
    this.#closers.push(startNbdTrigger(this.#deps.watchNbd, fire));
    this.#closers.push(
      startAnnotationPoll({
        intervalMs: schedule.annotationPollMs,
        hasNewAnnotations: () => this.#deps.engine.hasNewAnnotations(),
        logger,
        fire,
      }),
    );
    this.trigger('startup');
  }

  /** Asks for a pass (ignored once draining). */
  trigger(trigger: PassTrigger): ReturnType<PassScheduler['request']> {
    const outcome = this.#scheduler.request(trigger);
    this.#deps.logger.debug({ trigger, outcome }, 'pass requested');
    return outcome;
  }

  /** Subscribes to finished passes; returns the unsubscriber. */
  onPass(listener: (summary: PassSummary) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** True while a pass runs. */
  get busy(): boolean {
    return this.#scheduler.running;
  }

  /** The backoff the loop keeps (read-only use outside the loop). */
  get backoff(): Backoff {
    return this.#backoff;
  }

  /**
   * Stops new passes and makes `fence()` answer false, so the pass in flight finishes its current
   * action and stops; waits up to `graceMs` for it, then aborts its signal.
   */
  async drain(graceMs: number): Promise<DrainOutcome> {
    this.#draining = true;
    this.#scheduler.close();
    this.#clearRetryTimer();
    const current = this.#scheduler.current;
    if (current === null) return 'idle';
    if (await settledWithin(current, graceMs)) return this.#shutdown.signal.aborted ? 'aborted' : 'finished';
    this.abortNow('shutdown grace period elapsed');
    return (await settledWithin(current, ABORT_SETTLE_MS)) ? 'aborted' : 'abandoned';
  }

  /** Aborts the pass in flight at once (second signal). */
  abortNow(reason: string): void {
    this.#draining = true;
    this.#scheduler.close();
    if (!this.#shutdown.signal.aborted) this.#shutdown.abort(new Error(reason));
  }

  /** Closes the trigger sources and timers (idempotent). Call after {@link drain}. */
  async close(): Promise<void> {
    this.#draining = true;
    this.#scheduler.close();
    this.#clearRetryTimer();
    const closers = this.#closers;
    this.#closers = [];
    for (const close of closers.reverse()) await close();
  }

  async #runPass(trigger: PassTrigger): Promise<void> {
    const { engine, schedule, logger } = this.#deps;
    const passId = randomUUID();
    const act = !this.#draining && this.#deps.isLeader();
    const timeout = new AbortController();
    const timer = setTimeout(() => {
      timeout.abort(new Error(`pass exceeded ${schedule.passTimeoutMs} ms`));
    }, schedule.passTimeoutMs);
    const signal = AbortSignal.any([timeout.signal, this.#shutdown.signal]);
    // Re-checked after the await: a stop or timeout may have come while the lock was being checked.
    const mayAct = (): boolean => !this.#draining && !signal.aborted;
    const fence = async (): Promise<boolean> => mayAct() && (await this.#deps.fence()) && mayAct();
    const started = this.#now();
    let report: PassReport | null = null;
    let result: PassOutcome;
    let error: Error | undefined;
    try {
      const r = await engine.runPass({ signal, trigger, act, fence, backoff: this.#backoff, passId });
      report = r;
      result = SOURCES.every((s) => r.sources[s].complete) ? 'success' : 'partial';
    } catch (e) {
      error = coerceError(e);
      result = timeout.signal.aborted ? 'timeout' : this.#shutdown.signal.aborted ? 'aborted' : 'error';
    } finally {
      clearTimeout(timer);
    }
    const finishedAt = this.#now();
    const summary: PassSummary = {
      passId,
      trigger,
      act,
      result,
      durationSeconds: (finishedAt - started) / 1000,
      report,
      ...(error ? { error } : {}),
    };
    this.#afterPass(summary, finishedAt);
    this.#scheduleRetry();
    for (const listener of this.#listeners) {
      try {
        listener(summary);
      } catch (e) {
        logger.error({ err: coerceError(e) }, 'pass listener failed');
      }
    }
  }

  /** Metrics, backoff and the outcome log line; a malformed report must not stop the loop. */
  #afterPass(s: PassSummary, finishedAt: number): void {
    const log = this.#deps.logger;
    const fields = {
      passId: s.passId,
      trigger: s.trigger,
      act: s.act,
      result: s.result,
      durationMs: Math.round(s.durationSeconds * 1000),
    };
    try {
      recordPassMetrics(this.#deps.metrics, {
        result: s.result,
        durationSeconds: s.durationSeconds,
        finishedAt,
        report: s.report,
      });
      if (s.report) this.#recordBackoff(s.report);
      this.#deps.metrics.subjectsInBackoff.set(this.#backoff.size);
    } catch (e) {
      log.error({ ...fields, err: coerceError(e) }, 'pass report could not be recorded');
    }
    if (s.report) {
      const r = s.report;
      const errors = r.actions.filter((a) => a.result === 'error').length;
      log.info(
        {
          ...fields,
          drift: r.drift.length,
          actions: r.actions.length,
          errors,
          blocked: r.blocked.length,
          trips: r.trips,
          mode: r.mode,
        },
        'pass finished',
      );
    } else {
      log.warn({ ...fields, err: s.error }, 'pass failed');
    }
  }

  #recordBackoff(report: PassReport): void {
    for (const a of report.actions) {
      if (a.result === 'success') this.#backoff.success(a.driftId);
      else if (a.result === 'error') this.#backoff.failure(a.driftId, { terminal: a.terminal ?? false });
    }
    // Forget subjects that are no longer drift, but only when every source was read: an incomplete
    // source hides drift that is still there.
    if (SOURCES.every((s) => report.sources[s].complete)) this.#backoff.retain(new Set(report.drift.map((d) => d.id)));
  }

  /** A subject whose backoff elapses gets its retry without waiting for the next resync. */
  #scheduleRetry(): void {
    this.#clearRetryTimer();
    const next = this.#backoff.nextRetryAt();
    if (next === null || this.#draining) return;
    // Timers run on a monotonic clock and may fire a millisecond before the wall-clock retry time;
    // a small margin makes sure the subject really is retryable when the pass asks.
    this.#retryTimer = setTimeout(
      () => {
        this.#retryTimer = null;
        this.trigger('retry');
      },
      Math.max(0, next - this.#now()) + 10,
    );
  }

  #clearRetryTimer(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }
}
