/**
 * The operator console in a real browser (Debian's chromium, driven by playwright-core) against the
 * demo as `npm run demo` builds it: every section with the demo's data, the buttons refused without
 * the token and working with it (Adopt, Undo, Keep, Cleanup of the demo's stuck live failover), a
 * live update without reload, no horizontal overflow at 1366×768 and 390×844. Screenshots go to
 * test/artifacts/; the README's two in docs/ are rewritten only with UPDATE_DOCS_SCREENSHOTS=1, so a
 * test run leaves the checkout as it found it (the binary CI builds afterwards is not "-dirty").
 */
import { existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReconciler, type RunningReconciler } from '../../../src/compose/start-reconciler.js';
import { buildDemo, type DemoAppliance } from '../../../src/demo/build-demo.js';
import { summarisePass } from '../../../src/demo/summarise-pass.js';
import { createLogger } from '../../../src/log.js';
import { testDatabaseUrl } from '../../helpers/test-database-url.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '../../artifacts/status-page');
const DOCS = join(import.meta.dirname, '../../../docs');
const HOSTILE = '<img src=x onerror=alert(1)>';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`status page browser tests skipped: ${CHROMIUM} is missing (.ci/run installs the chromium package)`);
}

let demo: DemoAppliance | undefined;
let running: RunningReconciler | undefined;
let browser: Browser | undefined;
let page: Page;
let base: string;
let dbName: string;
let lookalikeId: string;
let dialogs = 0;

async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The README's screenshot `file` in docs/, refreshed on request only (see the module comment). */
async function docsShot(p: Page, file: string): Promise<void> {
  if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') await p.screenshot({ path: join(DOCS, file) });
}

/** Horizontal overflow of the page, px (0 = fits). */
function overflow(p: Page): Promise<number> {
  return p.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
}

async function api(
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** VM contexts in the demo database now (the demo deletes one to make its volumes orphans). */
async function contextCount(): Promise<number> {
  const rows = await demo!.database.db.selectFrom('vm_replication_contexts').select('context_id').execute();
  return rows.length;
}

const section = (part: string) => page.locator(`section[data-part="${part}"]`);

describe.skipIf(!hasChromium)('the operator console in a browser, on the demo', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    mkdirSync(DOCS, { recursive: true });
    dbName = `omarec_test_ui_${randomBytes(4).toString('hex')}`;
    const d = await buildDemo({
      databaseUrl: testDatabaseUrl(),
      databaseName: dbName,
      httpListen: '127.0.0.1:0',
      logLevel: 'silent',
    });
    demo = d;
    const quiet = d.env.world.contexts.find((c) => c.status === 'discovered');
    if (!quiet) throw new Error('the demo world has no discovered context');
    await sql`update vm_replication_contexts set vm_name = ${HOSTILE} where context_id = ${quiet.contextId}`.execute(
      d.database.db,
    );
    // A volume named like ours that the database never referenced: held by ownership until adopted.
    lookalikeId = d.env.sim.state.addVolume({ name: 'migration-lookalike-lookalike-disk-0' }).id;
    const r = startReconciler({ config: d.config, logger: createLogger('silent'), signals: null, leaderRetryMs: 500 });
    running = r;
    await r.daemon.ready;
    // Settled as the demo says it: nothing repairable left but what waits for the operator.
    await new Promise<void>((resolve) =>
      r.daemon.loop.onPass((s) => {
        if (s.report && summarisePass(s.report, null).toRepair === 0) resolve();
      }),
    );
    const address = r.daemon.httpAddress();
    base = `http://127.0.0.1:${address?.port ?? 0}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('dialog', (dlg) => {
      dialogs++;
      void dlg.dismiss();
    });
    await page.goto(base);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await running?.daemon.stop('test done');
    await demo?.close();
    const admin = await import('../../../src/db/connect.js').then((m) =>
      m.connectDatabase(testDatabaseUrl(), { database: null, connectionLimit: 1 }),
    );
    await sql`drop database if exists ${sql.id(dbName)}`.execute(admin.db);
    await admin.close();
  });

  it('renders every section with the demo data, and fits 1366×768 without overflow', async () => {
    await expect.poll(() => page.locator('[data-testid="ownership-blocked"]').count(), { timeout: 15_000 }).toBe(2);
    expect(await section('health').locator('[data-testid="source"]').count()).toBe(5);
    expect(await section('health').textContent()).toMatch(/last pass \d+ s ago · \d+\.\d\d s · \w+/);
    const failed = section('needs-you').locator('[data-testid="failed-operation"]');
    expect(await failed.count()).toBe(1);
    expect(await failed.textContent()).toMatch(/unified-live-failover of demo-vm-\d+/);
    expect(await failed.getByRole('button', { name: 'Cleanup' }).isEnabled()).toBe(true);
    const deletions = section('deletions').locator('[data-testid="scheduled-deletion"]');
    expect(await deletions.count()).toBeGreaterThan(0);
    expect(await deletions.first().textContent()).toMatch(/deleted in \d+ min/);
    expect(await section('drift').locator('[data-testid="drift-kind"]').count()).toBeGreaterThan(0);
    expect(await section('actions').locator('[data-testid="action-row"]').count()).toBeGreaterThan(5);
    expect(await section('actions').getByRole('button', { name: 'Undo' }).count()).toBeGreaterThan(0);
    expect(await section('contexts').locator('[data-testid="vm-row"]').count()).toBe(await contextCount());
    // Hostile names are text, never markup.
    expect(await page.locator('.vm-name').allTextContents()).toContain(HOSTILE);
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toBe(0);
    expect(await overflow(page)).toBe(0);
    await docsShot(page, 'status-page-1366x768.png');
    await shot(page, '01-console-wide');
  });

  it('searches and pages the VM contexts without reloading', async () => {
    await page.evaluate('window.marker = 1');
    await page.fill('#q', 'demo-vm-00016');
    await expect.poll(() => section('contexts').locator('[data-testid="vm-row"]').count(), { timeout: 5_000 }).toBe(1);
    expect(await page.evaluate<unknown>('window.marker')).toBe(1); // no reload happened
    await page.fill('#q', '');
    await expect
      .poll(() => section('contexts').locator('[data-testid="vm-row"]').count(), { timeout: 5_000 })
      .toBe(await contextCount());
  });

  it('fits a 390×844 phone without horizontal overflow', async () => {
    const phone = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(base);
    await expect.poll(() => phone.locator('[data-testid="failed-operation"]').count(), { timeout: 5_000 }).toBe(1);
    expect(await overflow(phone)).toBe(0);
    await docsShot(phone, 'status-page-390x844.png');
    await shot(phone, '02-console-phone');
    await phone.close();
  });

  it('refuses Adopt with a wrong token and Keep without one, and changes nothing', async () => {
    const item = page.locator('[data-testid="ownership-blocked"]', { hasText: lookalikeId });
    await item.getByRole('button', { name: 'Adopt' }).click();
    await page.fill('#act-reason', 'restored from an old appliance backup');
    await page.fill('#act-token', 'wrong-token-wrong-token');
    await page.click('#act-confirm');
    await expect
      .poll(() => page.locator('#act-error').textContent(), { timeout: 5_000 })
      .toMatch(/invalid bearer token/);
    await page.click('#act-cancel');

    await section('deletions').getByRole('button', { name: 'Keep' }).first().click();
    await page.fill('#act-token', '');
    await page.click('#act-confirm');
    await expect.poll(() => page.locator('#act-error').textContent()).toMatch(/API token is required/);
    await shot(page, '03-refused');
    await page.click('#act-cancel');
    expect(await item.count()).toBe(1);
    expect((await api('/api/v1/adopt', { type: 'volume', id: lookalikeId, reason: 'x' })).status).toBe(401);
  });

  it('shows an operator action taken elsewhere within 2 s, without a reload', async () => {
    const vm = page.locator('[data-testid="ownership-blocked"]', { hasText: 'leftover-test-vm' });
    const vmId = (await vm.locator('code').first().textContent()) ?? '';
    const started = Date.now();
    const answer = await api(
      '/api/v1/adopt',
      { type: 'vm', id: vmId, reason: 'test VM of an old failover', by: 'browser-test' },
      demo!.token,
    );
    expect(answer).toMatchObject({ status: 201, body: { status: 'adopted' } });
    const row = page.locator(`[data-testid="action-row"][data-action-id="${String(answer.body.action_id)}"]`);
    await expect.poll(() => row.count(), { timeout: 2_000, interval: 100 }).toBe(1);
    console.log(`live update: the adoption showed on the page ${Date.now() - started} ms after the API answered`);
    expect(await row.textContent()).toContain('adopt-vm');
  });

  it('undoes that adoption from Recent actions with the token', async () => {
    const row = page.locator('[data-testid="action-row"]', { hasText: 'adopt-vm' }).first();
    const id = await row.getAttribute('data-action-id');
    await row.getByRole('button', { name: 'Undo' }).click();
    await page.fill('#act-token', demo!.token);
    await page.click('#act-confirm');
    // The demo keeps reconciling: once the adopted test VM was destroyed, undo refuses and says why
    // (a later action on its subject); before that, the adoption is undone.
    const outcome = async (): Promise<string> =>
      `${(await page.locator('#act-status').textContent()) ?? ''}|${(await page.locator('#act-error').textContent()) ?? ''}`;
    await expect.poll(outcome, { timeout: 10_000 }).toMatch(/no longer adopted|refused: .*no longer the latest/);
    const undone = /no longer adopted/.test(await outcome());
    await page.click('#act-cancel');
    if (undone) {
      await expect
        .poll(() => page.locator(`[data-testid="action-row"][data-action-id="${id ?? ''}"]`).textContent(), {
          timeout: 5_000,
        })
        .toContain('undone');
      const ledger = await demo!.database.db
        .selectFrom('oma_reconciler_ledger')
        .select('adopted')
        .where('object_type', '=', 'vm')
        .execute();
      expect(ledger.every((l) => l.adopted === 0)).toBe(true);
    } else {
      const record = await demo!.database.db
        .selectFrom('oma_reconciler_actions')
        .select('outcome')
        .where('id', '=', id ?? '')
        .executeTakeFirst();
      expect(record?.outcome).toBe('success');
    }
  });

  it('keeps a quarantined volume (undo of its quarantine) with the token', async () => {
    const item = section('deletions').locator('[data-testid="scheduled-deletion"]').first();
    const volumeId = (await item.getAttribute('data-volume')) ?? '';
    const keep = item.getByRole('button', { name: 'Keep' });
    const actionId = (await keep.getAttribute('data-action-id')) ?? '';
    await keep.click();
    await page.click('#act-confirm'); // the token is remembered for the session
    await expect
      .poll(() => page.locator('#act-status').textContent(), { timeout: 10_000 })
      .toContain(`removed the quarantine of volume ${volumeId}`);
    await shot(page, '04-kept');
    await page.click('#act-cancel');
    // The quarantine is undone in the audit log (the demo's volume is still an orphan, so a later pass may quarantine it again).
    const record = await demo!.database.db
      .selectFrom('oma_reconciler_actions')
      .select(['action', 'outcome'])
      .where('id', '=', actionId)
      .executeTakeFirst();
    expect(record).toEqual({ action: 'quarantine-volume', outcome: 'undone' });
  });

  it('adopts the look-alike volume from Needs you with the token', async () => {
    const item = page.locator('[data-testid="ownership-blocked"]', { hasText: lookalikeId });
    await item.getByRole('button', { name: 'Adopt' }).click();
    await page.fill('#act-reason', 'restored from an old appliance backup');
    await page.click('#act-confirm');
    await expect.poll(() => page.locator('#act-status').textContent(), { timeout: 10_000 }).toMatch(/^adopted volume/);
    await page.click('#act-cancel');
    await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(0);
    const entry = await demo!.database.db
      .selectFrom('oma_reconciler_ledger')
      .selectAll()
      .where('object_id', '=', lookalikeId)
      .executeTakeFirst();
    expect(entry).toMatchObject({ adopted: 1, adopted_by: 'api' });
  });

  it('cleans up the stuck live failover from Needs you, with live progress, to ready_for_failover', async () => {
    const op = section('needs-you').locator('[data-testid="failed-operation"]');
    const vmName = (await op.getAttribute('data-vm')) ?? '';
    await op.getByRole('button', { name: 'Cleanup' }).click();
    const previewSteps = await page.locator('#cleanup-steps li').count();
    expect(previewSteps).toBeGreaterThan(3);
    expect(await page.locator('#cleanup-confirm').isVisible()).toBe(true);
    await shot(page, '05-cleanup-modal');
    await page.click('#cleanup-confirm');
    await expect
      .poll(() => page.locator('#cleanup-status').textContent(), { timeout: 30_000 })
      .toMatch(/Cleanup (accepted|running|done)/);
    await expect
      .poll(() => page.locator('#cleanup-status').textContent(), { timeout: 150_000, interval: 1_000 })
      .toMatch(/Cleanup done/);
    await shot(page, '06-cleanup-done');
    // The readable preview stays as it was; the run's recorded steps are listed apart.
    expect(await page.locator('#cleanup-steps li').count()).toBe(previewSteps);
    expect(await page.locator('#cleanup-progress li').count()).toBeGreaterThan(0);
    await page.click('#cleanup-cancel');
    const row = page.locator(`[data-testid="vm-row"][data-vm="${vmName}"] [data-testid="vm-status"]`);
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toBe('ready_for_failover');
    expect(await section('needs-you').locator('[data-testid="failed-operation"]').count()).toBe(0);
  }, 240_000);
});
