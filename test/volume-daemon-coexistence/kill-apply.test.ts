/**
 * Issue 14, "Done when" 4: `oma-reconciler apply` killed with SIGKILL between the start and the end
 * of its Volume Daemon operation. The next pass waits for that operation (in-flight) and never issues
 * a second one; when the operation can never end (the daemon died too, and does not resume), it is
 * marked failed once stale and exactly one new operation repairs the volume.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decisionsOf, executedActions } from '../engine/helpers/audit.js';
import { checkInvariants } from '../engine/helpers/check-invariants.js';
import { contextIn } from '../engine/helpers/inject-drift.js';
import { readAppliance } from '../engine/helpers/read-appliance.js';
import { startCoexistence, type Coexistence } from './helpers/coexistence.js';
import { pollUntil } from './helpers/poll.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('kill -9 of apply while its Volume Daemon operation runs', () => {
  let c: Coexistence;
  let child: ChildProcess | null = null;
  let volumeId: string;
  let stderr: string;
  beforeEach(async () => {
    c = await startCoexistence();
    await c.h.pass();
    volumeId = contextIn(c.h, 'ready_for_failover').volumes[1]?.volumeId ?? '';
    c.h.env.sim.state.detachVolume(volumeId);
    stderr = '';
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = null;
    await c.close();
  });

  /** Starts `oma-reconciler apply` as its own process against this appliance. */
  function startApply(): ChildProcess {
    const { h } = c;
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', 'apply', '--grace-seconds', '0', '--config', h.configFile ?? ''],
      {
        cwd: repoRoot,
        env: { ...process.env, ...h.env.env() },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child = proc;
    return proc;
  }

  async function kill9(proc: ChildProcess): Promise<void> {
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }, stderr).toEqual({ code: null, signal: 'SIGKILL' });
  }

  const operationsOf = (id: string) =>
    c.h.db.db
      .selectFrom('volume_operations')
      .select(['id', 'type', 'status', 'error'])
      .where('volume_id', '=', id)
      .orderBy('created_at')
      .execute();

  it('the next pass waits for the running operation, then completes the bookkeeping without a second attach', async () => {
    const { h } = c;
    // CloudStack answers the daemon's attach only after 3 s: apply is killed in between.
    h.env.sim.faults.set('attachVolume', { latencyMs: 3_000, times: 1 });
    const proc = startApply();
    const op = await pollUntil(
      'the daemon attach started by apply',
      async () =>
        (await operationsOf(volumeId)).find(
          (o) => o.type === 'attach' && (o.status === 'executing' || o.status === 'pending'),
        ),
      30_000,
    );
    await kill9(proc);

    const held = await h.plan();
    expect(decisionsOf(held.gated, 'volume-attachment')).toEqual(['attach-volume-to-oma: blocked by in-flight']);
    expect(held.gated.find((d) => d.kind === 'volume-attachment')?.actions[0]?.blockedReason).toContain(op.id);
    const pass = await h.pass();
    expect(executedActions([pass]).filter((a) => a.includes('attach-volume-to-oma'))).toEqual([]);

    const ended = await pollUntil('the operation to end', async () =>
      (await operationsOf(volumeId)).find((o) => o.id === op.id && o.status !== 'executing' && o.status !== 'pending'),
    );
    expect(ended.status).toBe('completed');
    // Nothing left to attach: the daemon finished the attach the killed apply had started.
    const after = await h.plan({ graceOverride: null });
    expect(after.gated.filter((d) => d.kind === 'volume-attachment')).toEqual([]);
    await h.applyUntilStable();
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
    expect(c.daemon?.stats.operations.attach).toMatchObject({ started: 1, completed: 1, failed: 0 });
    expect((await operationsOf(volumeId)).map((o) => [o.type, o.status])).toEqual([['attach', 'completed']]);
    expect(c.csMutations()).toEqual({ daemon: 1, us: 0 });
  });

  it('an operation that can never end (the daemon died too) holds the volume until it is stale, then one new attach repairs it', async () => {
    const { h } = c;
    c.daemon?.armCrash('before-cloudstack');
    const proc = startApply();
    await c.daemon?.crashed;
    const op = await pollUntil(
      'the daemon attach started by apply',
      async () => (await operationsOf(volumeId)).find((o) => o.type === 'attach'),
      30_000,
    );
    await kill9(proc);
    const daemon = await c.restartDaemon(); // no-resume: the row stays executing forever

    const pass = await h.pass();
    expect(decisionsOf(pass.gated, 'volume-attachment')).toEqual(['attach-volume-to-oma: blocked by in-flight']);
    expect(daemon.stats.operations.attach.started).toBe(0);
    expect((await operationsOf(volumeId)).map((o) => [o.id, o.status])).toEqual([[op.id, 'executing']]);

    // An hour and more later: stale.
    const old = new Date(Date.now() - 2 * 3600_000);
    await h.db.db
      .updateTable('volume_operations')
      .set({ created_at: old, updated_at: old })
      .where('id', '=', op.id)
      .execute();
    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual(
      expect.arrayContaining([
        'orphan-row fail-volume-operation → success',
        'volume-attachment attach-volume-to-oma → success',
      ]),
    );
    expect(daemon.stats.operations.attach).toMatchObject({ started: 1, completed: 1, failed: 0 });
    expect((await operationsOf(volumeId)).map((o) => [o.type, o.status])).toEqual([
      ['attach', 'failed'],
      ['attach', 'completed'],
    ]);
    expect(h.env.sim.state.getVolume(volumeId)?.vmId).toBe(h.omaVmId);
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
  });
});
