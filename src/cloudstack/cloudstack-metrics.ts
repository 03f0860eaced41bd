/**
 * The metrics port of the CloudStack client. The daemon backs it with
 * `oma_reconciler_cloudstack_requests_total{command,outcome}` and
 * `oma_reconciler_cloudstack_request_duration_seconds{command}`; the client never imports prom-client.
 */

/** Outcome of one HTTP request to CloudStack (a bounded label). */
export const CLOUDSTACK_OUTCOMES = [
  'success',
  'error',
  'timeout',
  'auth_error',
  'network_error',
  'rate_limited',
] as const;
export type CloudStackOutcome = (typeof CLOUDSTACK_OUTCOMES)[number];

/** Receives one observation per HTTP request (`command` is the API name, e.g. `listVolumes`). */
export interface CloudStackMetrics {
  observe(command: string, outcome: CloudStackOutcome, seconds: number): void;
}

/** A metrics port that records nothing. */
export function noopCloudStackMetrics(): CloudStackMetrics {
  return { observe: () => undefined };
}

/** A metrics port that keeps counts in memory (tests, the benchmark's "requests per pass"). */
export interface RecordingCloudStackMetrics extends CloudStackMetrics {
  /** Requests by `command` then `outcome`. */
  readonly counts: ReadonlyMap<string, ReadonlyMap<CloudStackOutcome, number>>;
  /** All requests observed. */
  total(): number;
  /** Requests of one command (all outcomes), optionally of one outcome. */
  count(command: string, outcome?: CloudStackOutcome): number;
  reset(): void;
}

/** Creates a {@link RecordingCloudStackMetrics}. */
export function recordingCloudStackMetrics(): RecordingCloudStackMetrics {
  const counts = new Map<string, Map<CloudStackOutcome, number>>();
  return {
    counts,
    observe(command, outcome) {
      let byOutcome = counts.get(command);
      if (!byOutcome) counts.set(command, (byOutcome = new Map<CloudStackOutcome, number>()));
      byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
    },
    total: () => [...counts.values()].reduce((sum, m) => sum + [...m.values()].reduce((a, b) => a + b, 0), 0),
    count(command, outcome) {
      const byOutcome = counts.get(command);
      if (!byOutcome) return 0;
      return outcome ? (byOutcome.get(outcome) ?? 0) : [...byOutcome.values()].reduce((a, b) => a + b, 0);
    },
    reset: () => {
      counts.clear();
    },
  };
}
