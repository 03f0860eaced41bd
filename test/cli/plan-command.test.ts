/**
 * `oma-reconciler plan` against a whole appliance, run in-process: the contract's plan JSON, the
 * exit codes, and a saved world that replays offline to the same plan.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planJsonSchema } from '../../src/engine/plan-json.js';
import { startHarness, type Harness } from '../engine/helpers/appliance-harness.js';
import { contextIn, deleteContext, secondsAgo } from '../engine/helpers/inject-drift.js';

/** Environment that makes every live source unusable: a replay must not need any of them. */
const NO_LIVE_SOURCES = {
  CLOUDSTACK_API_URL: 'http://127.0.0.1:9/client/api',
  NBD_PID_FILE: '/nonexistent/nbd-server.pid',
  NBD_ADDRESS: '127.0.0.1:9',
};

describe('oma-reconciler plan', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('exits 0 with a contract-shaped plan and drift 0 on a consistent appliance', async () => {
    const run = await h.cli(['plan', '--output', 'json']);
    expect(run.code).toBe(0);
    const plan = planJsonSchema.parse(JSON.parse(run.stdout));
    expect(plan.summary).toEqual({ drift: 0, actionsToRun: 0, actionsBlocked: 0, complete: true });
    expect(plan.sources).toEqual({
      database: { complete: true },
      cloudstack: { complete: true },
      nbd: { complete: true },
      devices: { complete: true },
      'volume-daemon': { complete: true },
    });
    expect((await h.cli(['plan'])).stdout).toMatch(/^no drift\nmode enforce, observed .*; drift: 0\n$/);
  });

  it('exits 1 with every drift item and gate decision in the contract shape, and changes nothing', async () => {
    await h.pass();
    await deleteContext(h, contextIn(h, 'ready_for_failover').contextId);
    await h.db.db
      .updateTable('replication_jobs')
      .set({ status: 'attaching', updated_at: secondsAgo(7200), vma_last_poll_at: null })
      .where('id', '=', contextIn(h, 'replicating').currentJobId ?? '')
      .execute();

    const run = await h.cli(['plan', '--output', 'json']);
    expect(run.code).toBe(1);
    const plan = planJsonSchema.parse(JSON.parse(run.stdout));
    expect(plan.drift.map((d) => d.kind)).toEqual([
      'orphan-volume',
      'orphan-volume',
      'orphan-nbd-export',
      'orphan-nbd-export',
      'stuck-replication-job',
    ]);
    expect(plan.drift.flatMap((d) => d.actions.map((a) => `${a.action}:${a.decision}:${a.blockedBy ?? ''}`))).toEqual([
      'quarantine-volume:blocked:grace',
      'quarantine-volume:blocked:grace',
      'remove-nbd-export:blocked:grace',
      'remove-nbd-export:blocked:grace',
      'mark-replication-job-failed:run:',
      'clear-current-job:run:',
    ]);
    expect(plan.summary).toEqual({ drift: 5, actionsToRun: 2, actionsBlocked: 4, complete: true });
    // Nothing was recorded: not even a first-seen time.
    expect(await h.db.db.selectFrom('oma_reconciler_drift').selectAll().execute()).toEqual([]);
    expect(await h.db.db.selectFrom('oma_reconciler_actions').selectAll().execute()).toEqual([]);
    const table = await h.cli(['plan', '--grace-seconds', '0']);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(
      /^orphan-volume +volume [0-9a-f-]{36} \(migration-vm-00003-vm-00003-disk-0\) +quarantine-volume! +run$/m,
    );
    expect(table.stdout).toMatch(/; drift: 5\n$/);
  });

  it('exits 2 on a usage error or a database it cannot use', async () => {
    const badOutput = await h.cli(['plan', '--output', 'xml']);
    expect(badOutput).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('--output: "xml" is not table or json') as unknown,
    });
    const badKind = await h.cli(['plan', '--only', 'orphan-volumes']);
    expect(badKind).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown drift kind "orphan-volumes"') as unknown,
    });
    const noDatabase = await h.cli(['plan'], { DATABASE_URL: `${h.db.url}_missing` });
    expect(noDatabase.code).toBe(2);
    expect(noDatabase.stdout).toBe('');
  });

  it('replays a saved world offline to exactly the plan it was observed with', async () => {
    await h.pass();
    await deleteContext(h, contextIn(h, 'ready_for_failover').contextId);
    await h.pass(); // first-seen times recorded for some drift…
    h.env.sim.state.addSnapshot({
      volumeId: contextIn(h, 'replicating').volumes[0]?.volumeId ?? '',
      name: 'multi-test-failover-disk-2000-1700000000',
    });

    const live = await h.cli(['plan', '--output', 'json', '--save-world']);
    expect(live.code).toBe(1);
    const saved = /^world saved to (.+)\n$/.exec(live.stderr)?.[1] ?? '';
    expect(await readdir(join(h.env.dirs.stateDir, 'worlds'))).toContain(saved.split('/').at(-1));

    // Reality moves on, and no live source is reachable: the replay sees only the saved world.
    await deleteContext(h, contextIn(h, 'replicating').contextId);
    const replay = await h.cli(['plan', '--output', 'json', '--world', saved], NO_LIVE_SOURCES);
    expect(replay.code).toBe(1);
    expect(planJsonSchema.parse(JSON.parse(replay.stdout))).toEqual(planJsonSchema.parse(JSON.parse(live.stdout)));
    expect(replay.stdout).toBe(live.stdout);
  });
});
