/**
 * The status page in a real browser (Debian's chromium, driven by playwright-core) against the demo
 * world: the banner on a stuck VM, the confirmation modal with the workflow's steps, the token
 * prompt, live progress, and the VM back to ready_for_failover. Screenshots of each state go to
 * test/artifacts/status-page/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReconciler, type RunningReconciler } from '../../../src/compose/start-reconciler.js';
import { buildDemo, type DemoAppliance } from '../../../src/demo/build-demo.js';
import { createLogger } from '../../../src/log.js';
import { testDatabaseUrl } from '../../helpers/test-database-url.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '../../artifacts/status-page');
const HOSTILE = '<img src=x onerror=alert(1)>';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`status page browser tests skipped: ${CHROMIUM} is missing (.ci/run installs the chromium package)`);

let demo: DemoAppliance | undefined;
let running: RunningReconciler | undefined;
let browser: Browser | undefined;
let base: string;
let dbName: string;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe.skipIf(!hasChromium)('status page in a browser', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dbName = `omarec_test_ui_${randomBytes(4).toString('hex')}`;
    // The stuck failovers wait for the operator's button: automatic recovery is held to report-only.
    const d = await buildDemo({ databaseUrl: testDatabaseUrl(), databaseName: dbName, httpListen: '127.0.0.1:0', logLevel: 'silent', overrides: { modeByKind: { 'stuck-failover-job': 'observe' } } });
    demo = d;
    const quiet = d.env.world.contexts.find((c) => c.status === 'discovered');
    if (!quiet) throw new Error('the demo world has no discovered context');
    await sql`update vm_replication_contexts set vm_name = ${HOSTILE} where context_id = ${quiet.contextId}`.execute(d.database.db);
    const r = startReconciler({ config: d.config, logger: createLogger('silent'), signals: null, leaderRetryMs: 500 });
    running = r;
    await r.daemon.ready;
    await new Promise<void>((resolve) => r.daemon.loop.onPass(() => { resolve(); }));
    const address = r.daemon.httpAddress();
    base = `http://127.0.0.1:${address?.port ?? 0}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await running?.daemon.stop('test done');
    await demo?.close();
    const admin = await import('../../../src/db/connect.js').then((m) => m.connectDatabase(testDatabaseUrl(), { database: null, connectionLimit: 1 }));
    await sql`drop database if exists ${sql.id(dbName)}`.execute(admin.db);
    await admin.close();
  });

  it('cleans up a stuck test failover from the banner, through the modal, to ready_for_failover', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(base);
    const stuckCard = page.locator('[data-testid="vm-card"]', { has: page.locator('[data-testid="failed-banner"]') }).first();
    await expect.poll(() => stuckCard.count()).toBe(1);
    const vmName = await stuckCard.getAttribute('data-vm');
    expect(await stuckCard.textContent()).toContain('Failed Operation Detected');
    expect(await stuckCard.textContent()).toMatch(/unified-test-failover — stuck since/);
    await shot(page, '01-banner');

    await stuckCard.getByRole('button', { name: 'Cleanup' }).click();
    const dialog = page.locator('#cleanup-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const steps = await page.locator('#cleanup-steps li').allTextContents();
    expect(steps.length).toBeGreaterThan(3);
    await shot(page, '02-modal');

    await page.fill('#cleanup-token', demo!.token);
    await page.click('#cleanup-confirm');
    await expect.poll(() => page.locator('#cleanup-status').textContent(), { timeout: 30_000 }).toMatch(/Cleanup (accepted|running|done)/);
    await shot(page, '03-progress');
    await expect.poll(() => page.locator('#cleanup-status').textContent(), { timeout: 150_000, interval: 1_000 }).toMatch(/Cleanup done/);
    await shot(page, '04-done');

    // The page reloads itself after a finished cleanup; the VM is ready again and its banner gone.
    const card = page.locator(`[data-testid="vm-card"][data-vm="${vmName ?? ''}"]`);
    await expect.poll(async () => {
      await page.reload();
      return card.locator('[data-testid="vm-status"]').textContent();
    }, { timeout: 30_000, interval: 2_000 }).toBe('ready_for_failover');
    expect(await card.locator('[data-testid="failed-banner"]').count()).toBe(0);
    await shot(page, '05-ready');
    await page.close();
  }, 240_000);

  it('renders a VM named like markup as text, and runs no script from it', async () => {
    const page = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    let dialogs = 0;
    page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
    await page.goto(base);
    const names = await page.locator('.vm-name').allTextContents();
    expect(names).toContain(HOSTILE);
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toBe(0);
    await shot(page, '06-hostile-name-phone');
    await page.close();
  });

  it('refuses the cleanup without the right token and shows the API error', async () => {
    const page = await browser!.newPage();
    await page.goto(base);
    const button = page.getByRole('button', { name: 'Cleanup' }).first();
    expect(await button.count()).toBe(1); // the demo has two stuck failovers; the first test cleaned one
    await button.click();
    await page.fill('#cleanup-token', 'wrong-token-wrong-token');
    await page.click('#cleanup-confirm');
    await expect.poll(() => page.locator('#cleanup-error').textContent()).toMatch(/token|unauthor/i);
    await page.close();
  });
});
