import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type HttpFixture } from '../http/http-fixture.js';
import { runTool } from './run-tool.js';

const rulesDir = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));

let f: HttpFixture;

beforeAll(async () => {
  f = await startFixture();
});

afterAll(async () => {
  await f.server.close();
});

describe('Prometheus assets', () => {
  it('has alert rules that promtool accepts', async () => {
    const r = await runTool('promtool', ['check', 'rules', 'oma-reconciler-alerts.yml'], { cwd: rulesDir });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.code).toBe(0);
  });

  it('has alert rules that fire on their symptoms in promtool unit tests', async () => {
    const r = await runTool('promtool', ['test', 'rules', 'oma-reconciler-alerts.test.yml'], { cwd: rulesDir });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('covers every alert rule with at least one firing promtool unit test', async () => {
    const rules = await readFile(join(rulesDir, 'oma-reconciler-alerts.yml'), 'utf8');
    const tests = await readFile(join(rulesDir, 'oma-reconciler-alerts.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/^\s*- alert: (\S+)$/gm)].map((m) => m[1]);
    expect(alerts.length).toBeGreaterThan(0);
    // A test that expects the alert to fire: its alertname followed by a non-empty exp_alerts list.
    const firing = new Set([...tests.matchAll(/alertname: (\S+)\n\s+exp_alerts:\n\s+- exp_labels/g)].map((m) => m[1]));
    expect(alerts.filter((a) => !firing.has(a))).toEqual([]);
  });

  it('exposes metrics that pass promtool check metrics on a full live scrape (exit 0, no notes)', async () => {
    const scrape = await (await fetch(f.url('/metrics'))).text();
    expect(scrape).toContain('process_cpu_seconds_total');
    expect(scrape).toContain('nodejs_active_handles');
    const all = await runTool('promtool', ['check', 'metrics'], { input: scrape });
    expect(all.stdout + all.stderr).toBe('');
    expect(all.code).toBe(0);
  });
});
