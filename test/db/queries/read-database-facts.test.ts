import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatabaseFacts } from '../../../src/db/queries/read-database-facts.js';
import { readOsseaConfig } from '../../../src/db/queries/read-ossea-config.js';
import { buildApplianceWorld } from '../../../src/appliance-world/appliance-world-builder.js';
import type { ApplianceWorld } from '../../../src/appliance-world/appliance-world.js';
import type { DatabaseFacts } from '../../../src/world/world.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

describe('readDatabaseFacts on a built world', () => {
  let db: TestDatabase;
  let world: ApplianceWorld;
  let facts: DatabaseFacts;
  let statements: number;
  beforeAll(async () => {
    db = await createTestDatabase();
    world = await buildApplianceWorld(db.db, {
      now: T0,
      cloudstack: { apiUrl: 'http://127.0.0.1:9/client/api', apiKey: 'key-123', secretKey: 'secret-456' },
    });
    const ready = world.contexts.find((c) => c.status === 'ready_for_failover')!;
    const test = world.contexts.find((c) => c.status === 'failed_over_test')!;
    await db.db
      .updateTable('vm_replication_contexts')
      .set({ annotations: JSON.stringify({ 'oma-reconciler/paused': true, count: 3, nested: { a: 'b' } }) })
      .where('context_id', '=', ready.contextId)
      .execute();
    // Text MariaDB's JSON_VALID accepts but JSON.parse refuses: one bad row, reported, not a dead source.
    const replicating = world.contexts.find((c) => c.status === 'replicating')!;
    await db.db
      .updateTable('vm_replication_contexts')
      .set({ annotations: '{"note": 1.}' })
      .where('context_id', '=', replicating.contextId)
      .execute();
    await db.db
      .updateTable('replication_jobs')
      .set({
        annotations: JSON.stringify({ 'oma-reconciler/keep-volumes': 'TRUE', 'oma-reconciler/paused': ['true'] }),
      })
      .where('id', '=', replicating.currentJobId!)
      .execute();
    await db.db
      .updateTable('failover_jobs')
      .set({ annotations: JSON.stringify({ 'oma-reconciler/cleanup': 'requested' }) })
      .where('job_id', '=', test.failover!.jobId)
      .execute();
    // job_tracking rows around the filter: a running cleanup with later steps and logs, a running failover,
    // and rows that must stay out (a finished unrelated failover, a running migration).
    await db.db
      .insertInto('job_tracking')
      .values([
        {
          id: 'jt-cleanup-running',
          job_type: 'cleanup',
          operation: 'failed-execution-cleanup',
          status: 'running',
          started_at: at(0),
          owner: 'system',
        },
        {
          id: 'jt-failover-pending',
          job_type: 'failover',
          operation: 'unified-test-failover',
          status: 'pending',
          started_at: at(1),
          context_id: test.contextId,
        },
        {
          id: 'jt-failover-done',
          job_type: 'failover',
          operation: 'unified-test-failover',
          status: 'completed',
          started_at: at(2),
        },
        {
          id: 'jt-migration-running',
          job_type: 'migration',
          operation: 'replication',
          status: 'running',
          started_at: at(3),
        },
      ])
      .execute();
    await db.db
      .insertInto('job_steps')
      .values([
        {
          job_id: 'jt-cleanup-running',
          name: 'analyze-volume-state',
          seq: 1,
          status: 'completed',
          started_at: at(1),
          completed_at: at(2),
        },
        { job_id: 'jt-cleanup-running', name: 'detach-attached-volumes', seq: 2, status: 'running', started_at: at(3) },
      ])
      .execute();
    await db.db
      .insertInto('log_events')
      .values({ job_id: 'jt-cleanup-running', level: 'INFO', message: 'detaching', ts: at(4) })
      .execute();
    await db.db
      .insertInto('volume_operations')
      .values([
        {
          id: 'op-pending',
          type: 'attach',
          status: 'pending',
          volume_id: 'v1',
          request: '{}',
          created_at: at(0),
          updated_at: at(0),
        },
        {
          id: 'op-executing',
          type: 'detach',
          status: 'executing',
          volume_id: 'v2',
          vm_id: 'vm',
          request: '{}',
          created_at: at(0),
          updated_at: at(1),
        },
        {
          id: 'op-done',
          type: 'create',
          status: 'completed',
          volume_id: 'v3',
          request: '{}',
          created_at: at(0),
          updated_at: at(0),
        },
        {
          id: 'op-recent',
          type: 'detach',
          status: 'completed',
          volume_id: 'v4',
          request: '{}',
          created_at: new Date(Date.now() - 60_000),
          updated_at: new Date(Date.now() - 30_000),
        },
      ])
      .execute();
    await db.db
      .insertInto('vm_export_mappings')
      .values({
        vm_id: 'vmw-legacy',
        disk_unit_number: 0,
        vm_name: 'legacy',
        export_name: 'migration-vm-vmw-legacy-disk0',
        device_path: '/dev/vdb',
      })
      .execute();
    await db.db
      .insertInto('oma_reconciler_ledger')
      .values({
        object_type: 'volume',
        object_id: 'vol-x',
        first_seen_at: at(0),
        last_seen_at: at(5),
        reason: 'ossea_volumes.volume_id of ctx-x',
        adopted: 1,
        adopted_by: 'ops',
      })
      .execute();
    await db.db
      .insertInto('oma_reconciler_drift')
      .values([
        {
          drift_id: 'orphan-volume:vol-x',
          kind: 'orphan-volume',
          subject_type: 'volume',
          subject_id: 'vol-x',
          first_seen_at: at(0),
          last_seen_at: at(5),
        },
        {
          drift_id: 'gone',
          kind: 'orphan-volume',
          subject_type: 'volume',
          subject_id: 'vol-y',
          first_seen_at: at(0),
          last_seen_at: at(1),
          resolved_at: at(2),
        },
      ])
      .execute();
    await db.db
      .insertInto('oma_reconciler_cleanup_requests')
      .values({
        job_id: test.failover!.jobId,
        job_kind: 'failover',
        status: 'accepted',
        requested_by: 'ops',
        keep_volumes: 1,
        updated_at: at(6),
      })
      .execute();
    const before = db.statements();
    facts = await readDatabaseFacts(db.db);
    statements = db.statements() - before;
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reads every context, job, disk, volume, mapping and export the world holds', () => {
    expect(facts.omaVmId).toBe(world.omaVm.id);
    expect(facts.contexts.map((c) => [c.contextId, c.currentStatus, c.currentJobId]).sort()).toEqual(
      world.contexts.map((c) => [c.contextId, c.status, c.currentJobId]).sort(),
    );
    expect(facts.replicationJobs).toHaveLength(world.rowCounts.replication_jobs!);
    expect(facts.vmDisks).toHaveLength(world.volumes.length);
    expect(facts.osseaVolumes.map((v) => v.volumeId).sort()).toEqual(world.volumes.map((v) => v.volumeId).sort());
    expect(facts.deviceMappings).toHaveLength(world.rowCounts.device_mappings!);
    expect(facts.nbdExports.map((e) => [e.exportName, e.devicePath, e.configPath]).sort()).toEqual(
      world.exports.map((e) => [e.name, e.devicePath, e.configPath]).sort(),
    );
    expect(facts.failoverJobs.map((f) => f.jobId).sort()).toEqual(
      world.contexts.flatMap((c) => (c.failover ? [c.failover.jobId] : [])).sort(),
    );
  });

  it('turns times into ISO strings and keeps BIGINT ids as strings', () => {
    const job = facts.replicationJobs.find((j) => j.status === 'replicating')!;
    expect(job.vmaLastPollAt).toBe('2026-03-01T11:59:40.000Z');
    expect(facts.osseaVolumes[0]!.id).toBe('1');
    expect(facts.vmDisks[0]!.osseaVolumeId).toBe('1');
  });

  it('reads annotations per row: flags as "true"/"false", other values as their JSON, an unreadable row reported', () => {
    const ready = facts.contexts.find((c) => c.currentStatus === 'ready_for_failover')!;
    expect(ready.annotations).toEqual({ 'oma-reconciler/paused': 'true', count: '3', nested: '{"a":"b"}' });
    const replicating = facts.contexts.find((c) => c.currentStatus === 'replicating')!;
    expect(replicating.annotations).toEqual({
      'oma-reconciler/unreadable-annotations': expect.stringMatching(
        /^not valid JSON \(.*\): \{"note": 1\.\}$/,
      ) as unknown,
    });
    expect(facts.replicationJobs.find((j) => j.id === replicating.currentJobId)!.annotations).toEqual({
      'oma-reconciler/keep-volumes': 'true',
      'oma-reconciler/paused': '["true"]',
    });
    expect(facts.failoverJobs.find((f) => f.jobType === 'test')!.annotations).toEqual({
      'oma-reconciler/cleanup': 'requested',
    });
    expect(facts.contexts.find((c) => c.currentStatus === 'discovered')!.annotations).toEqual({});
  });

  it('reads the failover and cleanup jobs in flight plus the rows failover jobs point at, with their last activity', () => {
    const ids = facts.jobTracking.map((j) => j.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'jt-cleanup-running',
        'jt-failover-pending',
        ...world.contexts.flatMap((c) => (c.failover ? [c.failover.jobId] : [])),
      ]),
    );
    expect(ids).not.toContain('jt-failover-done');
    expect(ids).not.toContain('jt-migration-running');
    expect(facts.jobTracking.find((j) => j.id === 'jt-cleanup-running')).toEqual({
      id: 'jt-cleanup-running',
      jobType: 'cleanup',
      operation: 'failed-execution-cleanup',
      status: 'running',
      contextId: null,
      errorMessage: null,
      startedAt: at(0).toISOString(),
      lastActivityAt: at(4).toISOString(),
      currentStep: 'detach-attached-volumes',
      owner: 'system',
      externalJobId: null,
    });
    expect(facts.jobTracking.find((j) => j.id === 'jt-failover-pending')).toMatchObject({
      lastActivityAt: at(1).toISOString(),
      currentStep: null,
    });
    const done = facts.jobTracking.find((j) => j.operation === 'unified-live-failover')!;
    expect(done).toMatchObject({ status: 'completed', currentStep: 'status-update' });
  });

  it('reads open volume operations and those that ended within the hour, legacy export mappings, the ledger, unresolved drift and cleanup requests', () => {
    expect(facts.volumeOperations.map((o) => [o.id, o.status])).toEqual([
      ['op-executing', 'executing'],
      ['op-pending', 'pending'],
      ['op-recent', 'completed'],
    ]);
    expect(facts.vmExportMappings).toMatchObject([
      { vmName: 'legacy', exportName: 'migration-vm-vmw-legacy-disk0', devicePath: '/dev/vdb', status: 'active' },
    ]);
    expect(facts.ledger).toEqual([
      {
        objectType: 'volume',
        objectId: 'vol-x',
        firstSeenAt: at(0).toISOString(),
        reason: 'ossea_volumes.volume_id of ctx-x',
        adopted: true,
      },
    ]);
    expect(facts.driftFirstSeen).toEqual({ 'orphan-volume:vol-x': at(0).toISOString() });
    expect(facts.cleanupRequests).toEqual([
      {
        jobId: world.contexts.find((c) => c.status === 'failed_over_test')!.failover!.jobId,
        jobKind: 'failover',
        status: 'accepted',
        message: null,
        requestedBy: 'ops',
        keepVolumes: true,
        updatedAt: at(6).toISOString(),
      },
    ]);
  });

  it('never carries the CloudStack keys, which only readOsseaConfig returns', async () => {
    expect(JSON.stringify(facts)).not.toMatch(/key-123|secret-456/);
    expect(await readOsseaConfig(db.db)).toMatchObject({
      apiUrl: 'http://127.0.0.1:9/client/api',
      apiKey: 'key-123',
      secretKey: 'secret-456',
      omaVmId: world.omaVm.id,
    });
  });

  it('uses the same small number of statements however big the database is', async () => {
    const big = await createTestDatabase();
    try {
      await buildApplianceWorld(big.db, { vmCount: 600 });
      const before = big.statements();
      await readDatabaseFacts(big.db);
      expect(big.statements() - before).toBe(statements);
      expect(statements).toBeLessThanOrEqual(17);
    } finally {
      await big.drop();
    }
  });
});

describe('readOsseaConfig', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('returns null without an active configuration, and the active one (empty OMA VM id as null) otherwise', async () => {
    expect(await readOsseaConfig(db.db)).toBeNull();
    await db.db
      .insertInto('ossea_configs')
      .values([
        {
          name: 'old',
          api_url: 'http://old/client/api',
          api_key: 'a',
          secret_key: 'b',
          zone: 'z',
          is_active: 0,
          oma_vm_id: 'old-vm',
        },
        {
          name: 'production-ossea',
          api_url: 'http://new/client/api',
          api_key: 'c',
          secret_key: 'd',
          zone: 'z',
          is_active: 1,
          oma_vm_id: '  ',
        },
      ])
      .execute();
    expect(await readOsseaConfig(db.db)).toMatchObject({
      name: 'production-ossea',
      apiUrl: 'http://new/client/api',
      omaVmId: null,
    });
    expect((await readDatabaseFacts(db.db)).omaVmId).toBeNull();
  });
});
