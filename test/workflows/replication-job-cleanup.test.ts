/**
 * The requested replication-job cleanup: a failed first replication loses its volumes, a failed job
 * after a completed one keeps them (they hold the VM's replica), keep-volumes keeps them too, an
 * active job is refused, and in every case nothing of the job is left behind.
 */
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCleanup } from '../../src/engine/cleanup-request.js';
import { readCleanupRequest } from '../../src/engine/store/cleanup-requests.js';
import type { WorldContext } from '../../src/appliance-world/appliance-world.js';
import { failedFirstReplication } from './helpers/replication-worlds.js';
import { startWorkflowHarness, type WorkflowHarness } from './helpers/workflow-harness.js';
import { annotationsOf } from '../../src/db/queries/json-column.js';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('replication-job cleanup', () => {
  let h: WorkflowHarness;
  let firstFailed: WorldContext;
  let laterFailed: WorldContext;
  let keep: WorldContext;
  let active: WorldContext;
  let failingOver: WorldContext;
  const jobOf = (ctx: WorldContext) => ctx.replicationJobs.at(-1)?.id ?? '';

  /** The seed's validation queries, plus the CloudStack and conf.d side: what of the job is left. */
  async function leftovers(ctx: WorldContext, volumesGone: boolean): Promise<string[]> {
    const db = h.db.db;
    const job = jobOf(ctx);
    const left: string[] = [];
    const n = async (what: string, q: Promise<{ n: string }>) => {
      const count = Number((await q).n);
      if (count > 0) left.push(`${count} ${what}`);
    };
    const c = sql<string>`count(*)`.as('n');
    await n('job rows', db.selectFrom('replication_jobs').select(c).where('id', '=', job).executeTakeFirstOrThrow());
    await n(
      'orphan vm_disks',
      db
        .selectFrom('vm_disks as vd')
        .leftJoin('replication_jobs as rj', 'rj.id', 'vd.job_id')
        .select(c)
        .where('rj.id', 'is', null)
        .executeTakeFirstOrThrow(),
    );
    await n(
      'orphan nbd_exports',
      db
        .selectFrom('nbd_exports as e')
        .leftJoin('replication_jobs as rj', 'rj.id', 'e.job_id')
        .select(c)
        .where('e.job_id', 'is not', null)
        .where('rj.id', 'is', null)
        .executeTakeFirstOrThrow(),
    );
    await n(
      'failover references',
      db.selectFrom('failover_jobs').select(c).where('replication_job_id', '=', job).executeTakeFirstOrThrow(),
    );
    await n(
      'context references',
      db
        .selectFrom('vm_replication_contexts')
        .select(c)
        .where((eb) => eb.or([eb('current_job_id', '=', job), eb('last_successful_job_id', '=', job)]))
        .executeTakeFirstOrThrow(),
    );
    await n(
      'mappings without a volume row',
      db
        .selectFrom('device_mappings as dm')
        .leftJoin('ossea_volumes as ov', 'ov.volume_id', 'dm.volume_uuid')
        .select(c)
        .where('ov.volume_id', 'is', null)
        .executeTakeFirstOrThrow(),
    );
    if (volumesGone) {
      for (const v of ctx.volumes) {
        if (h.env.sim.state.getVolume(v.volumeId)) left.push(`CloudStack volume ${v.volumeId}`);
        if (await exists(join(h.env.dirs.confDir, `migration-vol-${v.volumeId}.conf`))) {
          left.push(`export file of ${v.volumeId}`);
        }
        await n(
          `volume rows of ${v.volumeId}`,
          db.selectFrom('ossea_volumes').select(c).where('volume_id', '=', v.volumeId).executeTakeFirstOrThrow(),
        );
        await n(
          `export rows of ${v.volumeId}`,
          db.selectFrom('nbd_exports').select(c).where('volume_id', '=', v.volumeId).executeTakeFirstOrThrow(),
        );
      }
    }
    return left;
  }

  beforeAll(async () => {
    h = await startWorkflowHarness({
      statuses: ['failed', 'failed', 'failed', 'replicating', 'ready_for_failover'],
      dataDisks: 1,
      hooks: { context: failedFirstReplication(new Set([0, 2])) },
    });
    [firstFailed, laterFailed, keep, active, failingOver] = h.env.world.contexts as [
      WorldContext,
      WorldContext,
      WorldContext,
      WorldContext,
      WorldContext,
    ];
  });
  afterAll(async () => h.close());

  it('deletes the volumes of a failed first replication requested by annotation, with its exports and rows, through one pass', async () => {
    await requestCleanup(h.db.db, jobOf(firstFailed), 'operator', false, new Date());
    const pass = await h.pass();
    expect(pass.executed.find((e) => e.action === 'run-replication-job-cleanup')).toMatchObject({
      driftId: `cleanup-request:replication-job:${jobOf(firstFailed)}`,
      result: 'success',
    });
    const request = await readCleanupRequest(h.db.db, jobOf(firstFailed));
    expect(request?.status, request?.message ?? '').toBe('done');
    expect(request?.message).toContain('2 volumes deleted');
    for (const v of firstFailed.volumes) expect(h.env.sim.state.getVolume(v.volumeId), v.name).toBeUndefined();
    expect(await leftovers(firstFailed, true)).toEqual([]);
    const ctx = await h.db.db
      .selectFrom('vm_replication_contexts')
      .select(['current_status', 'current_job_id'])
      .where('context_id', '=', firstFailed.contextId)
      .executeTakeFirstOrThrow();
    expect(ctx).toEqual({ current_status: 'discovered', current_job_id: null });
    // The export manager kept a backup of every removed export file.
    const backups = await readdir(join(h.env.dirs.stateDir, 'backups', 'nbd'));
    for (const v of firstFailed.volumes) expect(backups.some((b) => b.includes(v.volumeId))).toBe(true);
    expect(await h.driftOf(firstFailed.contextId)).toEqual([]);
  });

  it('keeps the volumes when an earlier job of the context completed, and says so', async () => {
    // An old failover that ran on the job being removed: its reference is nulled, the row stays.
    await h.db.db
      .insertInto('failover_jobs')
      .values({
        vm_context_id: laterFailed.contextId,
        job_id: 'fj-old',
        vm_id: laterFailed.vmwareVmId,
        replication_job_id: jobOf(laterFailed),
        job_type: 'test',
        status: 'failed',
        source_vm_name: laterFailed.vmName,
      })
      .execute();
    const ctx = h.ctx();
    const result = await ctx.workflows.runReplicationJobCleanup(
      { contextId: laterFailed.contextId, jobId: jobOf(laterFailed), keepVolumes: false },
      ctx,
    );
    expect(result.ok, result.message).toBe(true);
    expect(result.message).toContain(
      `volumes kept: job ${laterFailed.replicationJobs[0]?.id ?? ''} of the context completed: the volumes hold the VM's good replica`,
    );
    for (const v of laterFailed.volumes) {
      expect(h.env.sim.state.getVolume(v.volumeId)?.vmId, v.name).toBe(h.omaVmId);
      expect(
        await exists(join(h.env.dirs.confDir, `migration-vol-${v.volumeId}.conf`)),
        'the export of a kept volume stays',
      ).toBe(true);
    }
    expect(await leftovers(laterFailed, false)).toEqual([]);
    expect(
      await h.db.db
        .selectFrom('failover_jobs')
        .select(['status', 'replication_job_id'])
        .where('job_id', '=', 'fj-old')
        .executeTakeFirst(),
    ).toEqual({ status: 'failed', replication_job_id: null });
    // The disks now belong to the completed job; the context reads ready_for_failover again.
    const disks = await h.db.db
      .selectFrom('vm_disks')
      .select('job_id')
      .where('vm_context_id', '=', laterFailed.contextId)
      .execute();
    expect(disks.map((d) => d.job_id)).toEqual(laterFailed.volumes.map(() => laterFailed.replicationJobs[0]?.id));
    const row = await h.db.db
      .selectFrom('vm_replication_contexts')
      .select('current_status')
      .where('context_id', '=', laterFailed.contextId)
      .executeTakeFirstOrThrow();
    expect(row.current_status).toBe('ready_for_failover');
    expect(ctx.nbdTouched.value).toBe(false);
    await h.applyNbd();
    expect(await h.driftOf(laterFailed.contextId)).toEqual([]);
  });

  it('keeps the volumes of a failed first replication when keep-volumes is set', async () => {
    const ctx = h.ctx();
    const result = await ctx.workflows.runReplicationJobCleanup(
      { contextId: keep.contextId, jobId: jobOf(keep), keepVolumes: true },
      ctx,
    );
    expect(result.ok, result.message).toBe(true);
    expect(result.message).toContain('volumes kept: keep-volumes was requested');
    for (const v of keep.volumes) expect(h.env.sim.state.getVolume(v.volumeId)?.vmId, v.name).toBe(h.omaVmId);
    expect(await leftovers(keep, false)).toEqual([]);
    const volumes = await h.db.db
      .selectFrom('ossea_volumes')
      .select('volume_id')
      .where('vm_context_id', '=', keep.contextId)
      .execute();
    expect(volumes).toHaveLength(keep.volumes.length);
  });

  it('refuses an active job with the reason and touches nothing', async () => {
    await requestCleanup(h.db.db, jobOf(active), 'operator', false, new Date());
    const mutationsBefore = h.env.sim.stats.requests('detachVolume') + h.env.sim.stats.requests('deleteVolume');
    const ctx = h.ctx();
    const result = await ctx.workflows.runReplicationJobCleanup(
      { contextId: active.contextId, jobId: jobOf(active), keepVolumes: false },
      ctx,
    );
    expect(result).toMatchObject({ ok: false, terminal: true });
    expect(result.message).toContain('job is genuinely active (replicating)');
    const request = await readCleanupRequest(h.db.db, jobOf(active));
    expect(request).toMatchObject({ status: 'refused' });
    expect(h.env.sim.stats.requests('detachVolume') + h.env.sim.stats.requests('deleteVolume')).toBe(mutationsBefore);
    expect(
      await h.db.db.selectFrom('replication_jobs').select('status').where('id', '=', jobOf(active)).executeTakeFirst(),
    ).toEqual({ status: 'replicating' });
    const annotations = await h.db.db
      .selectFrom('replication_jobs')
      .select('annotations')
      .where('id', '=', jobOf(active))
      .executeTakeFirstOrThrow();
    expect(annotationsOf(annotations.annotations)).toMatchObject({ 'oma-reconciler/cleanup-status': 'refused' });
  });

  it('refuses while a failover of the context is in flight, even for a finished job', async () => {
    const now = new Date();
    await h.db.db
      .insertInto('job_tracking')
      .values({
        id: 'fj-live-now',
        job_type: 'failover',
        operation: 'unified-test-failover',
        status: 'running',
        started_at: now,
        context_id: failingOver.contextId,
        job_category: 'failover',
        owner: 'system',
      })
      .execute();
    await h.db.db
      .insertInto('job_steps')
      .values({ job_id: 'fj-live-now', name: 'vm-creation', seq: 1, status: 'running', started_at: now })
      .execute();
    await h.db.db
      .insertInto('failover_jobs')
      .values({
        vm_context_id: failingOver.contextId,
        job_id: 'fj-live-now',
        vm_id: failingOver.vmwareVmId,
        job_type: 'test',
        status: 'pending',
        source_vm_name: failingOver.vmName,
      })
      .execute();
    await requestCleanup(h.db.db, jobOf(failingOver), 'operator', false, new Date());
    const ctx = h.ctx();
    const result = await ctx.workflows.runReplicationJobCleanup(
      { contextId: failingOver.contextId, jobId: jobOf(failingOver), keepVolumes: false },
      ctx,
    );
    expect(result).toMatchObject({ ok: false, terminal: true });
    expect(result.message).toContain('a failover is in flight for the context: test failover fj-live-now');
    expect((await readCleanupRequest(h.db.db, jobOf(failingOver)))?.status).toBe('refused');
    expect(
      await h.db.db.selectFrom('replication_jobs').select('id').where('id', '=', jobOf(failingOver)).executeTakeFirst(),
    ).toBeDefined();
  });
});
