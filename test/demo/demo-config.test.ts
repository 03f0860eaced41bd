/**
 * `demo --config FILE --log-level LEVEL`: the demo layers the operator's config file under its own
 * settings (so e.g. webhooks apply) and takes the log level from the flag.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDemo, type DemoAppliance } from '../../src/demo/build-demo.js';
import { testDatabaseUrl } from '../helpers/test-database-url.js';

let demo: DemoAppliance | undefined;
const dbName = `omarec_test_democfg_${randomBytes(4).toString('hex')}`;
let dir = '';

afterAll(async () => {
  await demo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  const admin = await import('../../src/db/connect.js').then((m) =>
    m.connectDatabase(testDatabaseUrl(), { database: null, connectionLimit: 1 }),
  );
  await sql`drop database if exists ${sql.id(dbName)}`.execute(admin.db);
  await admin.close();
});

describe('demo --config / --log-level', () => {
  it('applies the config file under the demo settings and the flag log level', async () => {
    dir = await mkdtemp(join(tmpdir(), 'omarec-democfg-'));
    const file = join(dir, 'oma-reconciler.json');
    await writeFile(
      file,
      JSON.stringify({
        notify: { webhooks: [{ url: 'http://127.0.0.1:9/hook' }] },
        modeByKind: { 'orphan-volume': 'observe' },
        quarantineTtlSeconds: 5,
      }),
    );
    demo = await buildDemo({
      databaseUrl: testDatabaseUrl(),
      databaseName: dbName,
      httpListen: '127.0.0.1:0',
      logLevel: 'debug',
      configFile: file,
    });
    expect(demo.config.notify.webhooks.map((w) => w.url)).toEqual(['http://127.0.0.1:9/hook']);
    expect(demo.config.modeByKind['orphan-volume']).toBe('observe');
    expect(demo.config.logLevel).toBe('debug');
    // The demo's own settings win over the file (its short periods make the story fit a minute).
    expect(demo.config.quarantineTtlSeconds).toBe(15 * 60);
  }, 120_000);
});
