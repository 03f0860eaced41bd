import {
  CLOUDSTACK_COMMANDS,
  CLOUDSTACK_OUTCOMES,
  type CloudStackCommand,
  type CloudStackOutcome,
} from './label-sets.js';
import type { ReconcilerMetrics } from './registry.js';

/**
 * What the CloudStack client reports after each HTTP request. `command` is the API command name
 * (`listVolumes`), `outcome` one of {@link CLOUDSTACK_OUTCOMES}, `seconds` the request's wall time.
 * Structurally the `CloudStackMetrics` port of `src/cloudstack/cloudstack-metrics.ts`.
 */
export interface CloudStackMetricsPort {
  observe(command: string, outcome: string, seconds: number): void;
}

const commands = new Set<string>(CLOUDSTACK_COMMANDS);
const outcomes = new Set<string>(CLOUDSTACK_OUTCOMES);

/**
 * Adapts the registry to the CloudStack client's metrics port. An unknown command is counted as
 * `other` and an unknown outcome as `error`, so a caller can never create an unbounded label value.
 */
export function createCloudStackMetrics(metrics: ReconcilerMetrics): CloudStackMetricsPort {
  return {
    observe(command, outcome, seconds) {
      const c = (commands.has(command) ? command : 'other') as CloudStackCommand;
      const o = (outcomes.has(outcome) ? outcome : 'error') as CloudStackOutcome;
      metrics.cloudstackRequestsTotal.inc({ command: c, outcome: o });
      if (Number.isFinite(seconds) && seconds >= 0) metrics.cloudstackRequestDuration.observe({ command: c }, seconds);
    },
  };
}
