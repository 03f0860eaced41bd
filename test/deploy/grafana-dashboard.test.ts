import { readFile } from 'node:fs/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractMetricNames, createMetrics } from '../../src/metrics/registry.js';
import { runTool } from './run-tool.js';

interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets?: readonly { readonly expr: string }[];
}

async function loadDashboard(): Promise<{ panels: Panel[] }> {
  const text = await readFile(new URL('../../deploy/grafana/oma-reconciler-dashboard.json', import.meta.url), 'utf8');
  return JSON.parse(text) as { panels: Panel[] };
}

async function loadAlertExpressions(): Promise<string> {
  return readFile(new URL('../../deploy/prometheus/oma-reconciler-alerts.yml', import.meta.url), 'utf8');
}

/** Names a query may use for a registered metric (histograms add _bucket, _sum and _count). */
function knownSeries(): Set<string> {
  const known = new Set<string>();
  for (const name of contractMetricNames(createMetrics({ version: 't', defaultMetrics: false }))) {
    for (const suffix of ['', '_bucket', '_sum', '_count']) known.add(name + suffix);
  }
  return known;
}

const referenced = (text: string): string[] => [...new Set(text.match(/oma_reconciler_[a-z_]+/g) ?? [])];

describe('Grafana dashboard', () => {
  it('only queries metric names that exist in the registry (and so do the alert rules)', async () => {
    const known = knownSeries();
    const dashboard = await loadDashboard();
    const exprs = dashboard.panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []);
    expect(exprs.length).toBeGreaterThan(10);
    expect(referenced(exprs.join('\n')).filter((n) => !known.has(n))).toEqual([]);
    expect(referenced(await loadAlertExpressions()).filter((n) => !known.has(n))).toEqual([]);
  });

  it('covers orphans, actions, gates, pass duration, source freshness, leadership and cleanup requests', async () => {
    const exprs = (await loadDashboard()).panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []).join('\n');
    for (const metric of [
      'drift_objects',
      'actions_total',
      'actions_blocked_total',
      'pass_duration_seconds_bucket',
      'source_last_complete_timestamp_seconds',
      'leader',
      'cleanup_requests',
    ]) {
      expect(exprs).toContain(`oma_reconciler_${metric}`);
    }
  });

  it('declares its data source in __inputs, and gives every panel one unit and thresholds', async () => {
    const text = await readFile(new URL('../../deploy/grafana/oma-reconciler-dashboard.json', import.meta.url), 'utf8');
    const d = JSON.parse(text) as {
      __inputs?: { name: string; type: string; pluginId: string }[];
      panels: (Panel & {
        fieldConfig?: {
          defaults?: { unit?: string; thresholds?: { steps: unknown[] } };
          overrides?: { properties: { id: string }[] }[];
        };
      })[];
    };
    expect(d.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    expect(text).toContain('${DS_PROMETHEUS}');
    for (const p of d.panels.filter((x) => x.type !== 'row')) {
      expect(p.fieldConfig?.defaults?.thresholds?.steps.length, p.title).toBeGreaterThan(0);
      // One unit per axis: no override switches a series to another unit, and no panel mixes a
      // duration quantile with a request or event rate.
      expect(p.fieldConfig?.overrides?.flatMap((o) => o.properties.map((q) => q.id)) ?? [], p.title).not.toContain(
        'unit',
      );
      const exprs = (p.targets ?? []).map((t) => t.expr);
      const quantiles = exprs.filter((e) => e.includes('histogram_quantile')).length;
      expect(quantiles === 0 || quantiles === exprs.length || exprs.every((e) => e.includes('_seconds')), p.title).toBe(
        true,
      );
    }
  });

  it('shows the quarantine, the backoff and the NBD changes waiting for an idle restart', async () => {
    const exprs = (await loadDashboard()).panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []).join('\n');
    for (const metric of [
      'quarantined_volumes',
      'next_quarantine_deletion_timestamp_seconds',
      'subjects_in_backoff',
      'nbd_pending_changes',
    ]) {
      expect(exprs).toContain(`oma_reconciler_${metric}`);
    }
  });

  it('has panel queries that are valid PromQL', async () => {
    const exprs = (await loadDashboard()).panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []);
    // Grafana variables replaced by what Grafana would send, then checked as recording rules.
    const rules = exprs.map(
      (e, i) =>
        `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(e.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'))}`,
    );
    const dir = await mkdtemp(join(tmpdir(), 'oma-dashboard-'));
    try {
      await writeFile(join(dir, 'queries.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
      const r = await runTool('promtool', ['check', 'rules', 'queries.yml'], { cwd: dir });
      expect(r.stdout + r.stderr).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
