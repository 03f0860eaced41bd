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

  it('exposes metrics that pass promtool check metrics on a live scrape', async () => {
    const scrape = await (await fetch(f.url('/metrics'))).text();
    const all = await runTool('promtool', ['check', 'metrics'], { input: scrape });
    const problems = (all.stdout + all.stderr).split('\n').filter((l) => l.trim() !== '');
    // prom-client's default Node.js gauges (nodejs_active_handles_total…) carry a `_total`
    // suffix promtool dislikes; they are not ours to rename, so they are reported, not failed.
    if (problems.length > 0) console.log(`promtool notes on prom-client default metrics:\n  ${problems.join('\n  ')}`);
    expect(problems.filter((l) => l.includes('oma_reconciler_'))).toEqual([]);
    expect(problems.every((l) => l.startsWith('nodejs_') || l.startsWith('process_'))).toBe(true);

    // Our own families alone must be clean (exit code 0).
    const ours = scrape.split('\n').filter((l) => l.includes('oma_reconciler_')).join('\n') + '\n';
    const own = await runTool('promtool', ['check', 'metrics'], { input: ours });
    expect(own.stdout + own.stderr).toBe('');
    expect(own.code).toBe(0);
  });
});
