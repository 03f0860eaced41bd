/**
 * The three things that ask for a pass: the resync schedule (cron + jitter), nbd-server config
 * changes (an injected watcher) and new cleanup annotations (a cheap poll). Each source returns a
 * closer; none of them runs a pass itself, they only call `fire(trigger)`.
 */
import { createTask, validateDetailed } from 'node-cron';
import { ConfigError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PassTrigger } from '../reconcile/engine-port.js';

/** Closes a trigger source; idempotent. */
export type CloseTrigger = () => Promise<void>;

/** Starts calling `onTick` on a cron expression; returns a stopper. Injectable for tests. */
export type CronScheduler = (expression: string, onTick: () => void, logger: Logger) => { stop(): Promise<void> };

/** Watches nbd-server's conf.d; calls `onChange` (debounced by the watcher) and returns its closer. */
export type NbdWatch = (onChange: () => void) => () => void | Promise<void>;

/** Throws a {@link ConfigError} naming the key when `expression` is not a valid node-cron pattern. */
export function assertCronExpression(expression: string): void {
  const v = validateDetailed(expression);
  if (!v.valid) {
    const why = v.errors.map((e) => e.message).join('; ') || 'not a cron expression';
    throw new ConfigError([`schedule.resyncCron: ${JSON.stringify(expression)} is not allowed: ${why}`]);
  }
}

/** The real scheduler: a node-cron v4 task (created unstarted, then started; destroyed on stop). */
export const nodeCronScheduler: CronScheduler = (expression, onTick, logger) => {
  const task = createTask(
    expression,
    () => {
      onTick();
    },
    {
      name: 'oma-reconciler-resync',
      // node-cron's own warnings (missed executions after a suspend) go to our logger, not stdout.
      logger: {
        info: (message) => {
          logger.debug({ message }, 'cron');
        },
        warn: (message) => {
          logger.warn({ message }, 'cron');
        },
        error: (message) => {
          logger.warn({ message: String(message) }, 'cron');
        },
        debug: (message) => {
          logger.debug({ message: String(message) }, 'cron');
        },
      },
    },
  );
  void task.start();
  return {
    stop: async () => {
      await task.destroy();
    },
  };
};

/** Resync on the cron schedule, each tick delayed by a random 0..jitterMs (spreads load across appliances). */
export function startScheduleTrigger(opts: {
  readonly cron: CronScheduler;
  readonly expression: string;
  readonly jitterMs: number;
  readonly random: () => number;
  readonly logger: Logger;
  readonly fire: (trigger: PassTrigger) => void;
}): CloseTrigger {
  let jitterTimer: NodeJS.Timeout | null = null;
  const task = opts.cron(
    opts.expression,
    () => {
      if (jitterTimer !== null) return; // the previous tick is still waiting out its jitter
      const delay = Math.floor(opts.random() * opts.jitterMs);
      jitterTimer = setTimeout(() => {
        jitterTimer = null;
        opts.fire('schedule');
      }, delay);
    },
    opts.logger,
  );
  return async () => {
    if (jitterTimer !== null) clearTimeout(jitterTimer);
    jitterTimer = null;
    await task.stop();
  };
}

/** Polls `hasNewAnnotations()` every `intervalMs` (never two polls at once) and fires `annotation`. */
export function startAnnotationPoll(opts: {
  readonly intervalMs: number;
  readonly hasNewAnnotations: () => Promise<boolean>;
  readonly logger: Logger;
  readonly fire: (trigger: PassTrigger) => void;
}): CloseTrigger {
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let inflight: Promise<void> | null = null;
  let failing = false;
  const poll = async (): Promise<void> => {
    try {
      const found = await opts.hasNewAnnotations();
      if (failing) opts.logger.info('annotation poll recovered');
      failing = false;
      if (found && !closed) opts.fire('annotation');
    } catch (e) {
      // Logged once per failure streak; the scheduled resync still runs, so nothing is lost.
      if (!failing) opts.logger.warn({ err: coerceError(e) }, 'annotation poll failed');
      failing = true;
    }
  };
  const tick = (): void => {
    inflight = poll().finally(() => {
      inflight = null;
      if (!closed) timer = setTimeout(tick, opts.intervalMs);
    });
  };
  timer = setTimeout(tick, opts.intervalMs);
  return async () => {
    closed = true;
    if (timer !== null) clearTimeout(timer);
    await inflight;
  };
}

/** Fires `nbd-change` on every change the injected watcher reports. */
export function startNbdTrigger(watch: NbdWatch, fire: (trigger: PassTrigger) => void): CloseTrigger {
  let closed = false;
  const close = watch(() => {
    if (!closed) fire('nbd-change');
  });
  return async () => {
    closed = true;
    await close();
  };
}
