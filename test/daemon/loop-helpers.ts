import type { PassSummary, PassLoop } from '../../src/daemon/loop.js';
import type { CronScheduler, NbdWatch } from '../../src/daemon/trigger-sources.js';
import type { ReconcilerMetrics } from '../../src/metrics/registry.js';

/** A cron scheduler the test ticks by hand. */
export function manualCron(): { scheduler: CronScheduler; tick(): void; readonly stopped: boolean } {
  let onTick: (() => void) | null = null;
  let stopped = false;
  return {
    scheduler: (_expression, fn) => {
      onTick = fn;
      return {
        stop: () => {
          stopped = true;
          onTick = null;
          return Promise.resolve();
        },
      };
    },
    tick: () => {
      onTick?.();
    },
    get stopped() {
      return stopped;
    },
  };
}

/** An nbd watcher the test fires by hand. */
export function manualNbdWatch(): { watch: NbdWatch; change(): void; readonly closed: boolean } {
  let onChange: (() => void) | null = null;
  let closed = false;
  return {
    watch: (fn) => {
      onChange = fn;
      return () => {
        closed = true;
        onChange = null;
      };
    },
    change: () => {
      onChange?.();
    },
    get closed() {
      return closed;
    },
  };
}

/** Records every finished pass of a loop and lets a test await the next matching one. */
export function recordPasses(loop: PassLoop): {
  readonly all: PassSummary[];
  next(predicate?: (s: PassSummary) => boolean): Promise<PassSummary>;
} {
  const all: PassSummary[] = [];
  const waiters: { predicate: (s: PassSummary) => boolean; resolve: (s: PassSummary) => void }[] = [];
  loop.onPass((s) => {
    all.push(s);
    for (const w of [...waiters]) {
      if (w.predicate(s)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(s);
      }
    }
  });
  return {
    all,
    next: (predicate = () => true) =>
      new Promise((resolve) => {
        waiters.push({ predicate, resolve });
      }),
  };
}

/** Current value of one series of a metric (0 when the series does not exist). */
export async function metricValue(
  metrics: ReconcilerMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const hit = values.find(
    (v) =>
      Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val) &&
      Object.keys(v.labels).length === Object.keys(labels).length,
  );
  return hit?.value ?? 0;
}

/** Resolves after pending I/O callbacks and microtasks have run (lets queued follow-ups start). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
