import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { SchemaNewerError } from '../../src/errors.js';
import { reconcilerMigrations } from '../../schema/reconciler/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { readTableShapes } from './table-shape.js';

const ALL = Object.keys(reconcilerMigrations).sort();
const opened: TestDatabase[] = [];
async function applianceOnly(): Promise<TestDatabase> {
  const db = await createTestDatabase(['oma']);
  opened.push(db);
  return db;
}
afterEach(async () => {
  for (const db of opened.splice(0)) await db.drop();
});

describe('oma-reconciler migrate on an appliance database', () => {
  it('applies every reconciler migration once, and a second run applies nothing and changes nothing', async () => {
    const db = await applianceOnly();
    const first = await migrate(db.db, 'reconciler');
    expect(first.applied).toEqual(ALL);
    const before = await readTableShapes(db.db);
    const second = await migrate(db.db, 'reconciler');
    expect(second.applied).toEqual([]);
    expect(await readTableShapes(db.db)).toEqual(before);
  });

  it('re-running every statement by hand is harmless too (each one is IF NOT EXISTS)', async () => {
    const db = await applianceOnly();
    await migrate(db.db, 'reconciler');
    const before = await readTableShapes(db.db);
    for (const name of ALL) await reconcilerMigrations[name]!.up(db.db);
    expect(await readTableShapes(db.db)).toEqual(before);
  });

  it('lists what it would apply with --dry-run without applying it', async () => {
    const db = await applianceOnly();
    const before = await readTableShapes(db.db);
    const outcome = await migrate(db.db, 'reconciler', { dryRun: true });
    expect(outcome).toEqual({ set: 'reconciler', applied: [], pending: ALL });
    expect(await readTableShapes(db.db)).toEqual(before);
  });

  it('nulls failover_jobs.replication_job_id values that point nowhere before adding fk_failover_replication', async () => {
    const db = await applianceOnly();
    await sql`insert into vm_replication_contexts (context_id, vm_name, vmware_vm_id, vm_path, vcenter_host, datacenter)
      values ('ctx-a', 'a', 'vmw-a', '/DC1/vm/a', 'vc', 'DC1')`.execute(db.db);
    await sql`insert into replication_jobs (id, vm_context_id, source_vm_id, source_vm_name, source_vm_path, v_center_host, datacenter, replication_type)
      values ('job-kept', 'ctx-a', 'vmw-a', 'a', '/DC1/vm/a', 'vc', 'DC1', 'initial')`.execute(db.db);
    await sql`insert into failover_jobs (vm_context_id, job_id, vm_id, replication_job_id, job_type, source_vm_name) values
      ('ctx-a', 'fo-dangling', 'vmw-a', 'job-deleted-long-ago', 'test', 'a'),
      ('ctx-a', 'fo-valid', 'vmw-a', 'job-kept', 'test', 'a')`.execute(db.db);
    await migrate(db.db, 'reconciler');
    const rows = await sql<{ job_id: string; replication_job_id: string | null }>`
      select job_id, replication_job_id from failover_jobs order by job_id`.execute(db.db);
    expect(rows.rows).toEqual([
      { job_id: 'fo-dangling', replication_job_id: null },
      { job_id: 'fo-valid', replication_job_id: 'job-kept' },
    ]);
  });

  it('refuses a database that lists a migration this build does not know, and changes nothing', async () => {
    const db = await applianceOnly();
    await migrate(db.db, 'reconciler');
    // A newer build applied a migration we do not know, and we have one pending ourselves.
    await sql`delete from oma_reconciler_migrations where name = '0010-create-oma-reconciler-state'`.execute(db.db);
    await sql`drop table oma_reconciler_state`.execute(db.db);
    await sql`insert into oma_reconciler_migrations (name, timestamp) values ('0099-from-a-newer-build', '2030-01-01T00:00:00.000Z')`.execute(
      db.db,
    );
    const before = await readTableShapes(db.db);
    const error = await migrate(db.db, 'reconciler').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaNewerError);
    expect((error as Error).message).toMatch(
      /newer than this oma-reconciler.*0099-from-a-newer-build.*Upgrade oma-reconciler/,
    );
    expect(await readTableShapes(db.db)).toEqual(before);
  });
});
