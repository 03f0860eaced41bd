/**
 * Audit intents a crash left `pending` (issue 15, 6.6) are closed as `abandoned` by the next
 * process that acts as leader — with a sentence saying so — and still count against the hourly
 * destructive budget (the action may have taken effect). A plan never closes anything.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngineDeps } from '../../src/engine/create-engine-deps.js';
import { runPass } from '../../src/engine/run-pass.js';
import { recordIntent } from '../../src/engine/store/audit-log.js';
import { readPassRecords } from '../../src/engine/store/pass-records.js';
import { createLogger } from '../../src/log.js';
import { createWorkflows } from '../../src/workflows/index.js';
import { startHarness, type Harness } from './helpers/appliance-harness.js';

async function crashedIntent(h: Harness, destructive: boolean): Promise<string> {
  return recordIntent(h.db.db, {
    passId: 'crashed-pass',
    driftId: 'orphan-volume:volume:v1',
    kind: 'orphan-volume',
    action: 'quarantine-volume',
    subject: { type: 'volume', id: 'v1', name: null },
    contextId: null,
    destructive,
    detail: { params: {}, evidence: [], trail: [] },
    actor: 'daemon',
    leaderHost: 'oma-1',
  });
}

async function outcomes(h: Harness): Promise<{ id: string; outcome: string; error: string | null }[]> {
  return h.db.db.selectFrom('oma_reconciler_actions').select(['id', 'outcome', 'error']).orderBy('id').execute();
}

describe('audit intents left pending by a crash', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('are closed as abandoned by the next acting pass of a new process, and only once', async () => {
    const id = await crashedIntent(h, true);
    await h.plan();
    expect((await h.cli(['plan'])).code).toBe(0);
    expect(await outcomes(h)).toEqual([{ id, outcome: 'pending', error: null }]);

    await h.pass();
    expect(await outcomes(h)).toEqual([
      {
        id,
        outcome: 'abandoned',
        error: 'abandoned: the process stopped before the outcome was recorded (it may or may not have taken effect)',
      },
    ]);
    // It may have taken effect: the hourly budget counts it.
    expect(
      (await readPassRecords(h.db.db, new Date(Date.now() - 3_600_000))).passContext.recentDestructiveByKind,
    ).toEqual({ 'orphan-volume': 1 });

    // A later crash of the same process is for the next process to close; `apply` (a new process) does.
    const second = await crashedIntent(h, false);
    await h.pass();
    expect((await outcomes(h)).find((r) => r.id === second)?.outcome).toBe('pending');
    expect((await h.cli(['apply'])).code).toBe(0);
    expect((await outcomes(h)).find((r) => r.id === second)?.outcome).toBe('abandoned');
  });

  it('are left alone by a process that does not lead (no acting pass)', async () => {
    const id = await crashedIntent(h, false);
    const deps = createEngineDeps({
      config: h.config,
      database: h.db,
      logger: createLogger('silent'),
      workflows: createWorkflows(),
      actor: 'test',
    });
    await runPass(deps, {
      passId: 'standby',
      signal: AbortSignal.timeout(60_000),
      act: false,
      isLeader: false,
      fence: () => Promise.resolve(false),
    });
    expect(await outcomes(h)).toEqual([{ id, outcome: 'pending', error: null }]);
  });
});
