/**
 * The status page at scale: 2,000 VM contexts and 500 drift items, rendered by the daemon's own
 * page builder and renderer and loaded in Debian's chromium. The first contentful paint is measured
 * and reported (console and test/artifacts/status-page/scale.json), not asserted as a timing; the
 * test asserts what keeps the page small at that scale: one page of contexts, drift capped per kind.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { PlanJson } from '../../../src/reconcile/types.js';
import { buildPageData, CONTEXT_PAGE_SIZE } from '../../../src/http/status-page/build-page-data.js';
import { ConsoleState } from '../../../src/http/status-page/console-state.js';
import { DRIFT_ROWS_PER_KIND, renderStatusPage } from '../../../src/http/status-page/render-status-page.js';
import { DRIFT_KINDS } from '../../../src/world/drift-kinds.js';
import type { World } from '../../../src/world/world.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '../../artifacts/status-page');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`status page scale test skipped: ${CHROMIUM} is missing (.ci/run installs the chromium package)`);
}

const CONTEXTS = 2_000;
const DRIFT = 500;
const observedAt = '2026-12-01T12:00:00.000Z';

function world(): World {
  const contexts = Array.from({ length: CONTEXTS }, (_, i) => ({
    contextId: `ctx-${String(i).padStart(5, '0')}`,
    vmName: `vm-${String(i).padStart(5, '0')}`,
    vmwareVmId: `vmw-${i}`,
    currentStatus: i % 7 === 0 ? 'replicating' : 'ready_for_failover',
    currentJobId: null,
    lastSuccessfulJobId: null,
    updatedAt: observedAt,
    annotations: {},
  }));
  // Only what the page reads is filled in; the rest of a world is empty lists.
  return {
    observedAt,
    omaVmId: 'oma',
    sources: {
      database: { complete: true },
      cloudstack: { complete: true },
      nbd: { complete: true },
      devices: { complete: true },
    },
    database: {
      contexts,
      replicationJobs: [],
      failoverJobs: [],
      jobTracking: [],
      cleanupRequests: [],
      osseaVolumes: [],
    },
    cloudstack: { volumes: [], snapshots: [], virtualMachines: [] },
  } as unknown as World;
}

function plan(): PlanJson {
  const drift = Array.from({ length: DRIFT }, (_, i) => ({
    id: `d-${i}`,
    kind: DRIFT_KINDS[i % DRIFT_KINDS.length] ?? 'orphan-row',
    class: 'orphan' as const,
    subject: { type: 'volume' as const, id: `vol-${String(i).padStart(36, '0')}`, name: `migration-vm-${i}-disk-0` },
    firstSeenAt: observedAt,
    evidence: [
      { source: 'cloudstack' as const, fact: `volume vol-${i} DATADISK Ready, 40 GiB, not attached` },
      { source: 'database' as const, fact: 'no ossea_volumes row references it' },
    ],
    actions: [
      {
        action: 'quarantine-volume' as const,
        destructive: true,
        decision: 'blocked' as const,
        blockedBy: 'grace' as const,
      },
    ],
  }));
  return {
    observedAt,
    mode: 'enforce',
    sources: world().sources,
    drift,
    summary: { drift: DRIFT, actionsToRun: 0, actionsBlocked: DRIFT, complete: true },
  };
}

let server: Server;
let browser: Browser | undefined;
let html = '';
let renderMs = 0;

describe.skipIf(!hasChromium)('the status page with 2,000 contexts and 500 drift items', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const config = loadConfig({ env: {}, flags: { apiToken: { flag: 'test', value: 'scale-token-0123456789' } } });
    const w = world();
    const p = plan();
    const started = performance.now();
    const data = buildPageData({
      config,
      state: new ConsoleState(),
      world: w,
      gated: [],
      plan: p,
      isLeader: true,
      recentActions: [],
      quarantineActions: new Map(),
      query: '',
      page: 1,
    });
    html = renderStatusPage(data);
    renderMs = performance.now() - started;
    server = createServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      });
      res.end(html);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('renders one page of contexts and at most 25 drift rows per kind, and reports the first paint', async () => {
    const page = await browser!.newPage({ viewport: { width: 1366, height: 768 } });
    const port = (server.address() as AddressInfo).port;
    const started = Date.now();
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
    const fcp = await page.evaluate<number | null>(`new Promise((resolve) => {
      const get = () => performance.getEntriesByName('first-contentful-paint')[0];
      const e = get(); if (e) return resolve(e.startTime);
      new PerformanceObserver(() => { const x = get(); if (x) resolve(x.startTime); }).observe({ type: 'paint', buffered: true });
      setTimeout(() => resolve(null), 5000);
    })`);
    const loadMs = Date.now() - started;
    expect(await page.locator('[data-testid="vm-row"]').count()).toBe(CONTEXT_PAGE_SIZE);
    expect(await page.locator('[data-testid="context-total"]').textContent()).toBe(String(CONTEXTS));
    expect(await page.locator('[data-testid="drift-kind"]').count()).toBe(DRIFT_KINDS.length);
    expect(await page.locator('[data-testid="drift-kind"] tbody tr').count()).toBe(
      DRIFT_KINDS.length * Math.min(DRIFT_ROWS_PER_KIND, Math.ceil(DRIFT / DRIFT_KINDS.length)),
    );
    expect(fcp).not.toBeNull();
    const figures = {
      contexts: CONTEXTS,
      drift: DRIFT,
      htmlBytes: Buffer.byteLength(html),
      serverRenderMs: Math.round(renderMs),
      firstContentfulPaintMs: Math.round(fcp ?? -1),
      loadMs,
    };
    writeFileSync(join(ARTIFACTS, 'scale.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`status page at scale: ${JSON.stringify(figures)}`);
    await page.close();
  });
});
