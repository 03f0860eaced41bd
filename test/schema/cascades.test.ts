import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApplianceWorld } from '../../src/appliance-world/appliance-world-builder.js';
import type { ApplianceWorld, WorldContext } from '../../src/appliance-world/appliance-world.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** Rows per table that belong to one context. */
async function rowsOf(db: TestDatabase, contextId: string): Promise<Record<string, number>> {
  const q = (table: string) =>
    sql<{
      n: number | string;
    }>`select count(*) as n from ${sql.table(table)} where vm_context_id = ${contextId}`.execute(db.db);
  const out: Record<string, number> = {};
  for (const t of [
    'replication_jobs',
    'vm_disks',
    'ossea_volumes',
    'device_mappings',
    'nbd_exports',
    'failover_jobs',
  ]) {
    out[t] = Number((await q(t)).rows[0]?.n);
  }
  return out;
}

describe('what deleting rows does (foreign keys of the appliance plus fk_failover_replication)', () => {
  let db: TestDatabase;
  let world: ApplianceWorld;
  const byStatus = (s: string): WorldContext => world.contexts.find((c) => c.status === s)!;
  beforeAll(async () => {
    db = await createTestDatabase();
    world = await buildApplianceWorld(db.db, {
      statuses: ['failed_over_test', 'ready_for_failover', 'replicating'],
      vmCount: 6,
      hooks: {
        // A stale export row left behind by the failover of the first VM, so it owns a row in every table.
        context: (plan) => {
          const os = plan.context.volumes[0];
          if (plan.index !== 0 || !os) return;
          plan.rows.nbd_exports.push({
            id: plan.nextId('nbd_exports'),
            vm_context_id: plan.context.contextId,
            volume_id: os.volumeId,
            export_name: `migration-vol-${os.volumeId}`,
            port: 10809,
            device_path: os.byIdPath,
            status: 'active',
          });
        },
      },
    });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('deleting a VM context removes its jobs, disks, volumes, mappings, exports and failover jobs', async () => {
    const ctx = world.contexts[0]!;
    const before = await rowsOf(db, ctx.contextId);
    expect(Object.values(before).every((n) => n > 0)).toBe(true);
    await db.db.deleteFrom('vm_replication_contexts').where('context_id', '=', ctx.contextId).execute();
    expect(await rowsOf(db, ctx.contextId)).toEqual({
      replication_jobs: 0,
      vm_disks: 0,
      ossea_volumes: 0,
      device_mappings: 0,
      nbd_exports: 0,
      failover_jobs: 0,
    });
  });

  it("deleting a context leaves other contexts' rows alone", async () => {
    const other = world.contexts[3]!;
    const counts = await rowsOf(db, other.contextId);
    expect(counts.replication_jobs).toBe(2);
    expect(counts.ossea_volumes).toBe(2);
  });

  it("deleting a replication job nulls failover_jobs.replication_job_id and removes that job's disks and exports, not its volumes", async () => {
    const ctx = world.contexts.filter((c) => c.status === 'failed_over_test')[1]!;
    const job = ctx.failover!.replicationJobId;
    await db.db.deleteFrom('replication_jobs').where('id', '=', job).execute();
    const fo = await db.db
      .selectFrom('failover_jobs')
      .select(['replication_job_id'])
      .where('job_id', '=', ctx.failover!.jobId)
      .executeTakeFirstOrThrow();
    expect(fo.replication_job_id).toBeNull();
    const counts = await rowsOf(db, ctx.contextId);
    expect(counts).toMatchObject({ replication_jobs: 1, vm_disks: 0, ossea_volumes: 2, failover_jobs: 1 });
  });

  it('deleting the job an export row points at removes the export row', async () => {
    const ctx = byStatus('ready_for_failover');
    const newest = ctx.replicationJobs[ctx.replicationJobs.length - 1]!.id;
    expect((await rowsOf(db, ctx.contextId)).nbd_exports).toBe(2);
    await db.db.deleteFrom('replication_jobs').where('id', '=', newest).execute();
    expect(await rowsOf(db, ctx.contextId)).toMatchObject({
      nbd_exports: 0,
      vm_disks: 0,
      ossea_volumes: 2,
      device_mappings: 2,
    });
  });

  it("deleting a context's current job clears current_job_id instead of failing", async () => {
    const ctx = byStatus('replicating');
    expect(ctx.currentJobId).not.toBeNull();
    await db.db.deleteFrom('replication_jobs').where('id', '=', ctx.currentJobId!).execute();
    const row = await db.db
      .selectFrom('vm_replication_contexts')
      .select(['current_job_id', 'last_successful_job_id'])
      .where('context_id', '=', ctx.contextId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ current_job_id: null, last_successful_job_id: ctx.lastSuccessfulJobId });
  });

  it('refuses a failover job pointing at a replication job that does not exist', async () => {
    const ctx = byStatus('ready_for_failover');
    await expect(
      db.db
        .insertInto('failover_jobs')
        .values({
          vm_context_id: ctx.contextId,
          job_id: 'fk-probe',
          vm_id: ctx.vmwareVmId,
          replication_job_id: 'job-that-never-was',
          job_type: 'test',
          source_vm_name: ctx.vmName,
        })
        .execute(),
    ).rejects.toThrow(/foreign key constraint fails/);
  });
});
