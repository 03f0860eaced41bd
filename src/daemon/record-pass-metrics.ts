import { MODES } from '../config/config-schema.js';
import { DRIFT_KINDS, SOURCES, type DriftKind } from '../world/drift-kinds.js';
import { KIND_CLASSES } from '../metrics/label-sets.js';
import { CLEANUP_STATUSES, type PassOutcome } from '../reconcile/outcomes.js';
import type { ReconcilerMetrics } from '../metrics/registry.js';
import type { PassReport } from '../reconcile/engine-port.js';

/** How one pass ended, as the loop classified it. */
export interface PassMetricsInput {
  readonly result: PassOutcome;
  readonly durationSeconds: number;
  /** Epoch ms the pass ended. */
  readonly finishedAt: number;
  /** The engine's report; null when the pass threw or was aborted. */
  readonly report: PassReport | null;
}

function epochSeconds(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms / 1000;
}

/**
 * Turns one pass outcome into metric updates. Called by the loop only (reconcilers and the engine
 * never touch metrics). Gauges describe the last report; counters accumulate.
 */
export function recordPassMetrics(metrics: ReconcilerMetrics, input: PassMetricsInput): void {
  metrics.passesTotal.inc({ result: input.result });
  metrics.passDuration.observe(input.durationSeconds);
  if (input.result === 'success') metrics.lastSuccessfulPass.set(input.finishedAt / 1000);
  const report = input.report;
  if (report === null) return;

  // Drift gauges are rebuilt from scratch: a pair that was open last pass and is gone now reads 0.
  // Reset and refill happen in one synchronous block, so no scrape sees a missing series.
  metrics.driftObjects.reset();
  for (const kind of DRIFT_KINDS) {
    for (const cls of KIND_CLASSES[kind]) metrics.driftObjects.set({ kind, class: cls }, 0);
  }
  const oldest = new Map<DriftKind, number>();
  for (const item of report.drift) {
    metrics.driftObjects.inc({ kind: item.kind, class: item.class });
    const seen = epochSeconds(item.firstSeenAt);
    const prev = oldest.get(item.kind);
    if (seen !== null && (prev === undefined || seen < prev)) oldest.set(item.kind, seen);
  }
  // "No open drift of a kind" is an absent series, not 0 (a 0 timestamp reads as 1970 to `time() - x`).
  metrics.driftOldestFirstSeen.reset();
  for (const [kind, seen] of oldest) metrics.driftOldestFirstSeen.set({ kind }, seen);

  for (const a of report.actions) metrics.actionsTotal.inc({ kind: a.kind, action: a.action, result: a.result });
  for (const b of report.blocked) metrics.actionsBlockedTotal.inc({ kind: b.kind, reason: b.gate });

  const observedAt = epochSeconds(report.observedAt) ?? input.finishedAt / 1000;
  for (const source of SOURCES) {
    const complete = report.sources[source].complete;
    metrics.sourceUp.set({ source }, complete ? 1 : 0);
    if (complete) metrics.sourceLastComplete.set({ source }, observedAt);
  }
  for (const status of CLEANUP_STATUSES) metrics.cleanupRequests.set({ status }, report.cleanupRequests[status] ?? 0);
  for (const mode of MODES) metrics.mode.set({ mode }, mode === report.mode ? 1 : 0);
  if (report.pendingNbdChanges !== undefined) metrics.nbdPendingChanges.set(report.pendingNbdChanges);
  if (report.quarantine) {
    metrics.quarantinedVolumes.set(report.quarantine.volumes);
    metrics.nextQuarantineDeletion.set(epochSeconds(report.quarantine.nextDeletionAt));
  }
}
