import { describe, expect, it } from 'vitest';
import { MODES } from '../../src/config/config-schema.js';
import { createCloudStackMetrics } from '../../src/metrics/cloudstack-metrics.js';
import { CLOUDSTACK_COMMANDS, CLOUDSTACK_OUTCOMES, KIND_ACTIONS, KIND_CLASSES } from '../../src/metrics/label-sets.js';
import { ACTION_RESULTS } from '../../src/reconcile/outcomes.js';
import { ACTION_VERBS } from '../../src/reconcile/types.js';
import { contractMetricNames, createMetrics } from '../../src/metrics/registry.js';
import { DRIFT_KINDS, GATES, SOURCES } from '../../src/world/drift-kinds.js';

async function series(name: string, metrics = createMetrics({ version: 't', defaultMetrics: false })) {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`missing ${name}`);
  return (await metric.get()).values;
}

/** Beyond the contract (issue 16): what the status page and the notifications add. */
const CONSOLE_METRICS = [
  'subjects_in_backoff',
  'nbd_pending_changes',
  'quarantined_volumes',
  'next_quarantine_deletion_timestamp_seconds',
  'notifications_total',
  'notifications_pending',
];

describe('metrics registry', () => {
  it('declares the fifteen contract metrics and the operator-console gauges, each with help text', async () => {
    const metrics = createMetrics({ version: 't', defaultMetrics: false });
    const names = contractMetricNames(metrics);
    expect(names).toHaveLength(15 + CONSOLE_METRICS.length);
    expect(names).toEqual(expect.arrayContaining(CONSOLE_METRICS.map((n) => `oma_reconciler_${n}`)));
    for (const m of await metrics.registry.getMetricsAsJSON()) expect(m.help.length).toBeGreaterThan(10);
  });

  it('starts every bounded label combination at zero', async () => {
    const p = 'oma_reconciler_';
    const pairs = DRIFT_KINDS.reduce((n, k) => n + KIND_CLASSES[k].length, 0);
    expect(await series(`${p}drift_objects`)).toHaveLength(pairs);
    const actionPairs = DRIFT_KINDS.reduce((n, k) => n + KIND_ACTIONS[k].length, 0);
    const actions = await series(`${p}actions_total`);
    expect(actions).toHaveLength(actionPairs * ACTION_RESULTS.length);
    expect(actions.every((v) => v.value === 0)).toBe(true);
    expect(await series(`${p}actions_blocked_total`)).toHaveLength(DRIFT_KINDS.length * GATES.length);
    expect(await series(`${p}source_up`)).toHaveLength(SOURCES.length);
    expect(await series(`${p}cloudstack_requests_total`)).toHaveLength(
      CLOUDSTACK_COMMANDS.length * CLOUDSTACK_OUTCOMES.length,
    );
    expect(await series(`${p}mode`)).toHaveLength(MODES.length);
  });

  it('gives every action verb of the engine at least one drift kind', () => {
    const used = new Set(Object.values(KIND_ACTIONS).flat());
    expect(ACTION_VERBS.filter((v) => !used.has(v))).toEqual([]);
  });

  it('keeps registries independent, so two daemons in one process do not share counters', async () => {
    const a = createMetrics({ version: 'a' });
    const b = createMetrics({ version: 'b' });
    a.passesTotal.inc({ result: 'success' });
    const bValues = await series('oma_reconciler_passes_total', b);
    expect(bValues.find((v) => v.labels.result === 'success')?.value).toBe(0);
    expect(await b.registry.metrics()).toContain('oma_reconciler_build_info{version="b",commit="unknown"} 1');
  });

  it('counts CloudStack requests and folds unknown commands and outcomes into bounded labels', async () => {
    const metrics = createMetrics({ version: 't', defaultMetrics: false });
    const port = createCloudStackMetrics(metrics);
    port.observe('listVolumes', 'success', 0.2);
    port.observe('listVolumes;id=1234-5678', 'weird', 0.1);
    const requests = await series('oma_reconciler_cloudstack_requests_total', metrics);
    expect(requests.find((v) => v.labels.command === 'listVolumes' && v.labels.outcome === 'success')?.value).toBe(1);
    expect(requests.find((v) => v.labels.command === 'other' && v.labels.outcome === 'error')?.value).toBe(1);
    expect(requests.some((v) => String(v.labels.command).includes('1234'))).toBe(false);
    const text = await metrics.registry.metrics();
    expect(text).toContain('oma_reconciler_cloudstack_request_duration_seconds_count{command="listVolumes"} 1');
  });
});
