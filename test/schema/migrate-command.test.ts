import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

async function cli(
  argv: readonly string[],
  databaseUrl: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await runCli(argv, { stdout, stderr, env: { DATABASE_URL: databaseUrl } });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('oma-reconciler migrate (command line)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(['oma']);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('says what it would apply with --dry-run, applies it, then says the database is up to date', async () => {
    const dry = await cli(['migrate', '--dry-run'], db.url);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toMatch(
      /would apply 0001-add-replication-jobs-annotations, .*0011-add-abandoned-action-outcome/,
    );

    const first = await cli(['migrate'], db.url);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/applied 0001-add-replication-jobs-annotations, .*0011-add-abandoned-action-outcome/);

    const second = await cli(['migrate'], db.url);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/up to date, nothing applied/);
  });

  it('exits 2 and explains when the database schema is newer than the build', async () => {
    await sql`insert into oma_reconciler_migrations (name, timestamp) values ('0099-from-a-newer-build', '2030-01-01T00:00:00.000Z')`.execute(
      db.db,
    );
    const run = await cli(['migrate'], db.url);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^oma-reconciler: error: database schema is newer than this oma-reconciler: .*0099-from-a-newer-build.*Upgrade oma-reconciler/,
    );
  });
});
