/**
 * Every Prometheus metric of the operator contract (prefix `oma_reconciler_`), declared in one
 * place with help text, on a registry owned by the caller (never prom-client's global default), with
 * every bounded label combination initialised to 0.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { MODES, NOTIFY_EVENTS } from '../config/config-schema.js';
import { DRIFT_KINDS, GATES, SOURCES } from '../world/drift-kinds.js';
import { ACTION_RESULTS, CLEANUP_STATUSES, PASS_OUTCOMES } from '../reconcile/outcomes.js';
import { CLOUDSTACK_COMMANDS, CLOUDSTACK_OUTCOMES, KIND_ACTIONS, KIND_CLASSES } from './label-sets.js';

/** The metric name prefix of the contract. */
export const METRIC_PREFIX = 'oma_reconciler_';

/** The metric handles; only the daemon loop and the adapters in `src/metrics/` write to them. */
export interface ReconcilerMetrics {
  readonly registry: Registry;
  readonly driftObjects: Gauge<'kind' | 'class'>;
  readonly driftOldestFirstSeen: Gauge<'kind'>;
  readonly actionsTotal: Counter<'kind' | 'action' | 'result'>;
  readonly actionsBlockedTotal: Counter<'kind' | 'reason'>;
  readonly passesTotal: Counter<'result'>;
  readonly passDuration: Histogram;
  readonly lastSuccessfulPass: Gauge;
  readonly sourceUp: Gauge<'source'>;
  readonly sourceLastComplete: Gauge<'source'>;
  readonly cloudstackRequestsTotal: Counter<'command' | 'outcome'>;
  readonly cloudstackRequestDuration: Histogram<'command'>;
  readonly cleanupRequests: Gauge<'status'>;
  readonly leader: Gauge;
  readonly mode: Gauge<'mode'>;
  readonly buildInfo: Gauge<'version' | 'commit'>;
  readonly subjectsInBackoff: Gauge;
  readonly nbdPendingChanges: Gauge;
  readonly quarantinedVolumes: Gauge;
  readonly notificationsTotal: Counter<'event' | 'result'>;
  readonly notificationsPending: Gauge;
  /** Unix seconds of the next planned deletion; null makes the series absent. */
  readonly nextQuarantineDeletion: { set(seconds: number | null): void };
}

export interface MetricsOptions {
  /** Package version for `build_info{version}`. */
  readonly version: string;
  /** Git commit for `build_info{commit}`; default `unknown`. */
  readonly commit?: string;
  /** Also collect prom-client's default process/Node.js metrics. Default true. */
  readonly defaultMetrics?: boolean;
}

/** Seconds; passes range from a few ms (fakes, empty appliance) to minutes (large CloudStack inventories). */
const PASS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Seconds; one HTTP request (async jobs are polled with several requests). */
const REQUEST_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** prom-client default gauges whose `_total` suffix breaks the counter naming rule; their by-type families remain. */
const REDUNDANT_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Creates a fresh registry holding every contract metric, each label combination at 0. */
export function createMetrics(options: MetricsOptions): ReconcilerMetrics {
  const registry = new Registry();
  const registers = [registry];
  const p = METRIC_PREFIX;
  const metrics: ReconcilerMetrics = {
    registry,
    driftObjects: new Gauge({
      name: `${p}drift_objects`,
      help: 'Open drift items found by the last pass, by drift kind and class.',
      labelNames: ['kind', 'class'],
      registers,
    }),
    driftOldestFirstSeen: new Gauge({
      name: `${p}drift_oldest_first_seen_timestamp_seconds`,
      help: 'Unix time the oldest open drift item of a kind was first seen; absent while none of the kind is open.',
      labelNames: ['kind'],
      registers,
    }),
    actionsTotal: new Counter({
      name: `${p}actions_total`,
      help: 'Repair actions attempted, by drift kind, action and result (success, error, dry_run).',
      labelNames: ['kind', 'action', 'result'],
      registers,
    }),
    actionsBlockedTotal: new Counter({
      name: `${p}actions_blocked_total`,
      help: 'Proposed actions a safety gate held back, by drift kind and gate.',
      labelNames: ['kind', 'reason'],
      registers,
    }),
    passesTotal: new Counter({
      name: `${p}passes_total`,
      help: 'Reconcile passes, by result (success, partial, error, timeout, aborted).',
      labelNames: ['result'],
      registers,
    }),
    passDuration: new Histogram({
      name: `${p}pass_duration_seconds`,
      help: 'Wall time of one reconcile pass.',
      buckets: PASS_BUCKETS,
      registers,
    }),
    lastSuccessfulPass: new Gauge({
      name: `${p}last_successful_pass_timestamp_seconds`,
      help: 'Unix time the last pass with every source complete finished.',
      registers,
    }),
    sourceUp: new Gauge({
      name: `${p}source_up`,
      help: '1 when the last pass read the source completely, else 0.',
      labelNames: ['source'],
      registers,
    }),
    sourceLastComplete: new Gauge({
      name: `${p}source_last_complete_timestamp_seconds`,
      help: 'Unix time the source was last read completely.',
      labelNames: ['source'],
      registers,
    }),
    cloudstackRequestsTotal: new Counter({
      name: `${p}cloudstack_requests_total`,
      help: 'CloudStack API requests, by command and outcome.',
      labelNames: ['command', 'outcome'],
      registers,
    }),
    cloudstackRequestDuration: new Histogram({
      name: `${p}cloudstack_request_duration_seconds`,
      help: 'Duration of one CloudStack API request, by command.',
      labelNames: ['command'],
      buckets: REQUEST_BUCKETS,
      registers,
    }),
    cleanupRequests: new Gauge({
      name: `${p}cleanup_requests`,
      help: 'Cleanup requests known to the reconciler, by status.',
      labelNames: ['status'],
      registers,
    }),
    leader: new Gauge({
      name: `${p}leader`,
      help: '1 when this instance holds the leader lock and may act, else 0.',
      registers,
    }),
    mode: new Gauge({
      name: `${p}mode`,
      help: 'Reconcile mode in force (state set: 1 for the current mode).',
      labelNames: ['mode'],
      registers,
    }),
    buildInfo: new Gauge({
      name: `${p}build_info`,
      help: 'Build information; always 1.',
      labelNames: ['version', 'commit'],
      registers,
    }),
    subjectsInBackoff: new Gauge({
      name: `${p}subjects_in_backoff`,
      help: 'Drift subjects whose last action failed and that wait for their backoff before the next attempt.',
      registers,
    }),
    nbdPendingChanges: new Gauge({
      name: `${p}nbd_pending_changes`,
      help: 'NBD export changes staged and waiting for an idle nbd-server restart.',
      registers,
    }),
    quarantinedVolumes: new Gauge({
      name: `${p}quarantined_volumes`,
      help: 'CloudStack volumes carrying the quarantine tag (detached, waiting for deletion).',
      registers,
    }),
    notificationsTotal: new Counter({
      name: `${p}notifications_total`,
      help: 'Webhook notification delivery attempts, by event and result (delivered, failed; a failed one is retried).',
      labelNames: ['event', 'result'],
      registers,
    }),
    notificationsPending: new Gauge({
      name: `${p}notifications_pending`,
      help: 'Notifications in the outbox not yet acknowledged by their receiver.',
      registers,
    }),
    nextQuarantineDeletion: absentWhenNull(
      registers,
      `${p}next_quarantine_deletion_timestamp_seconds`,
      'Unix time the first quarantined volume is due for deletion; absent while none is quarantined.',
    ),
  };
  initialise(metrics);
  metrics.buildInfo.set({ version: options.version, commit: options.commit ?? 'unknown' }, 1);
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // prom-client's `nodejs_active_*_total` are gauges named like counters (promtool rejects them);
    // they are the sums of `nodejs_active_handles`/`_requests`/`_resources`, which stay.
    for (const name of REDUNDANT_DEFAULT_METRICS) registry.removeSingleMetric(name);
  }
  return metrics;
}

/**
 * A label-less gauge whose series is absent while its value is null (prom-client would show 0, which
 * reads as 1970 to `time() - x`).
 */
function absentWhenNull(registers: Registry[], name: string, help: string): { set(seconds: number | null): void } {
  let value: number | null = null;
  new Gauge({
    name,
    help,
    registers,
    collect(this: Gauge) {
      if (value === null) (this as unknown as { hashMap: Record<string, unknown> }).hashMap = {};
      else this.set(value);
    },
  });
  return {
    set: (v) => {
      value = v;
    },
  };
}

/** Sets every known label combination to 0 so each series exists before its first event. */
function initialise(m: ReconcilerMetrics): void {
  for (const kind of DRIFT_KINDS) {
    for (const cls of KIND_CLASSES[kind]) m.driftObjects.set({ kind, class: cls }, 0);
    for (const action of KIND_ACTIONS[kind]) {
      for (const result of ACTION_RESULTS) m.actionsTotal.inc({ kind, action, result }, 0);
    }
    for (const reason of GATES) m.actionsBlockedTotal.inc({ kind, reason }, 0);
  }
  for (const result of PASS_OUTCOMES) m.passesTotal.inc({ result }, 0);
  m.lastSuccessfulPass.set(0);
  for (const source of SOURCES) {
    m.sourceUp.set({ source }, 0);
    m.sourceLastComplete.set({ source }, 0);
  }
  for (const command of CLOUDSTACK_COMMANDS) {
    for (const outcome of CLOUDSTACK_OUTCOMES) m.cloudstackRequestsTotal.inc({ command, outcome }, 0);
    m.cloudstackRequestDuration.zero({ command });
  }
  for (const status of CLEANUP_STATUSES) m.cleanupRequests.set({ status }, 0);
  m.leader.set(0);
  m.subjectsInBackoff.set(0);
  for (const event of NOTIFY_EVENTS) {
    for (const result of ['delivered', 'failed']) m.notificationsTotal.inc({ event, result }, 0);
  }
  m.notificationsPending.set(0);
  m.nbdPendingChanges.set(0);
  m.quarantinedVolumes.set(0);
  for (const mode of MODES) m.mode.set({ mode }, 0);
}

/** Names of every contract metric (without the `_bucket`/`_sum`/`_count` series of histograms). */
export function contractMetricNames(metrics: ReconcilerMetrics): string[] {
  return metrics.registry
    .getMetricsAsArray()
    .map((m) => m.name)
    .filter((n) => n.startsWith(METRIC_PREFIX))
    .sort();
}
