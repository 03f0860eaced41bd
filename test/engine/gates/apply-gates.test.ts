import { describe, expect, it } from 'vitest';
import { diffAll } from '../../../reconcilers/index.js';
import { applyGates, type GateResult } from '../../../src/engine/gates/apply-gates.js';
import type { GateContext } from '../../../src/engine/gates/gate-context.js';
import type { DriftItem, GatedAction } from '../../../src/reconcile/types.js';
import { GATES } from '../../../src/world/drift-kinds.js';
import { testGateContext } from '../../fixtures-world/gate-context.js';
import { sampleWorld } from '../../fixtures-world/sample-world.js';
import {
  ago,
  csVolume,
  failoverJob,
  jobTracking,
  ledger,
  NOW,
  OMA_VM_ID,
  WorldBuilder,
} from '../../fixtures-world/world-builder.js';

const NBD_KINDS = new Set(['orphan-nbd-export', 'missing-nbd-export', 'live-export-mismatch']);

/** Runs every reconciler and the gates, with grace out of the way unless the test says otherwise. */
function plan(b: WorldBuilder, ctx: Partial<Parameters<typeof testGateContext>[0]> = {}): GateResult {
  const world = b.build();
  const gateCtx = testGateContext({ grace: { override: 0 }, ...ctx });
  return applyGates(diffAll(world, gateCtx.policy, NOW), world, gateCtx);
}

/** `<kind> <verb> → run | <gate>` for each action. */
function decisions(result: GateResult): string[] {
  return result.drift.flatMap((d) =>
    d.actions.map((a) => `${d.kind} ${a.action} → ${a.decision === 'run' ? 'run' : (a.blockedBy ?? '?')}`),
  );
}

const actions = (result: GateResult): { kind: string; action: GatedAction }[] =>
  result.drift.flatMap((d) => d.actions.map((action) => ({ kind: d.kind, action })));
const destructiveRun = (result: GateResult): string[] =>
  actions(result)
    .filter((a) => a.action.destructive && a.action.decision === 'run')
    .map((a) => `${a.kind} ${a.action.action}`);

describe('applyGates', () => {
  it('lets every owned action of the sample world run in enforce mode with grace served', () => {
    const result = plan(sampleWorld());
    expect(decisions(result)).toEqual([
      'orphan-volume quarantine-volume → ownership',
      'orphan-volume quarantine-volume → run',
      'orphan-snapshot delete-snapshot → run',
      'volume-attachment attach-volume-to-oma → run',
      'orphan-nbd-export remove-nbd-export → run',
      'missing-nbd-export add-nbd-export → run',
      'live-export-mismatch restart-nbd-server → run',
      'live-export-mismatch restart-nbd-server → run',
      'device-mapping delete-device-mapping → run',
      'device-mapping delete-device-mapping → run',
      'orphan-row delete-row → run',
      'stuck-replication-job mark-replication-job-failed → run',
      'stuck-replication-job clear-current-job → run',
      'stuck-failover-job run-failed-execution-cleanup → run',
      'leftover-test-vm destroy-test-vm → run',
      'cleanup-request run-replication-job-cleanup → run',
    ]);
    expect(result.tripped).toEqual({});
  });

  it('runs nothing destructive while the CloudStack listing is incomplete', () => {
    const result = plan(sampleWorld().incomplete('cloudstack', 'listVolumes page 3: HTTP 503'));
    expect(destructiveRun(result)).toEqual([]);
    const blocked = actions(result).filter((a) => a.action.destructive);
    expect(blocked.length).toBeGreaterThan(0);
    expect(new Set(blocked.map((a) => a.action.blockedBy))).toEqual(new Set(['incomplete-source']));
    expect(blocked.find((a) => a.kind === 'orphan-volume')?.action.blockedReason).toContain(
      'listVolumes page 3: HTTP 503',
    );
  });

  it('trips sanity and runs nothing destructive when the database lost every context', () => {
    const b = new WorldBuilder().healthyContext('web', { disks: 3 });
    b.c.contexts.length = 0;
    b.c.osseaVolumes.length = 0;
    b.c.deviceMappings.length = 0;
    b.c.nbdExports.length = 0;
    b.c.replicationJobs.length = 0;
    const result = plan(b);
    expect(result.tripped.sanity).toBe('the database has no VM contexts while CloudStack holds 3 ledger volume(s)');
    expect(destructiveRun(result)).toEqual([]);
    expect(
      actions(result)
        .filter((a) => a.action.destructive)
        .map((a) => a.action.blockedBy),
    ).toContain('sanity');
  });

  it('trips sanity when an inventory shrank below the ratio of the last good pass, but lets non-destructive repairs run', () => {
    const b = sampleWorld();
    b.previousInventory = { cloudstack: 400 };
    const result = plan(b);
    expect(result.tripped.sanity).toMatch(/^cloudstack inventory \d+ is below 50% of the last good pass \(400\)$/);
    expect(destructiveRun(result)).toEqual([]);
    expect(decisions(result)).toContain('volume-attachment attach-volume-to-oma → run');
  });

  it('stands the NBD kinds down when nbd is incomplete while CloudStack kinds still run', () => {
    const result = plan(sampleWorld().incomplete('nbd', 'conf.d/migration-vol-x.conf: invalid key'));
    const nbd = actions(result).filter((a) => NBD_KINDS.has(a.kind));
    expect(nbd.every((a) => a.action.decision === 'blocked' && a.action.blockedBy === 'incomplete-source')).toBe(true);
    expect(decisions(result)).toEqual(
      expect.arrayContaining([
        'orphan-volume quarantine-volume → run',
        'orphan-snapshot delete-snapshot → run',
        'volume-attachment attach-volume-to-oma → run',
        'leftover-test-vm destroy-test-vm → run',
      ]),
    );
  });

  it('blocks a look-alike volume that was never in the ledger by ownership', () => {
    const result = plan(new WorldBuilder().add('volumes', csVolume('vol-x', { name: 'migration-not-ours-disk-0' })));
    const [drift] = result.drift;
    expect(drift?.actions[0]).toMatchObject({
      decision: 'blocked',
      blockedBy: 'ownership',
      blockedReason: 'ownership checks failing: inLedger',
    });
    expect(drift?.note).toContain('adopt it');
  });

  it('blocks an action on a context with a failover running as in-flight', () => {
    const b = new WorldBuilder()
      .healthyContext('web')
      .add('failoverJobs', failoverJob('fj-1', 'ctx-web'))
      .add('jobTracking', jobTracking('fj-1'));
    const item: DriftItem = {
      id: 'orphan-snapshot:snapshot:snap-1',
      kind: 'orphan-snapshot',
      class: 'orphan',
      subject: { type: 'snapshot', id: 'snap-1', name: null },
      contextId: 'ctx-web',
      evidence: [],
      actions: [
        {
          action: 'delete-snapshot',
          params: { snapshotId: 'snap-1', volumeId: 'vol-web-0' },
          destructive: true,
          ownership: {
            inLedger: true,
            namedLikeOurs: true,
            noReferencingRow: true,
            notOmaRootVolume: true,
            notLiveFailoverVm: true,
          },
        },
      ],
    };
    const result = applyGates([item], b.build(), testGateContext({ grace: { override: 0 } }));
    expect(result.drift[0]?.actions[0]).toMatchObject({ decision: 'blocked', blockedBy: 'in-flight' });
    expect(result.drift[0]?.actions[0]?.blockedReason).toMatch(/^test failover fj-1 in progress/);
  });

  it('produces no snapshot action at all when the reconciler sees the failover running', () => {
    const b = new WorldBuilder()
      .healthyContext('web')
      .add('failoverJobs', failoverJob('fj-1', 'ctx-web'))
      .add('jobTracking', jobTracking('fj-1'))
      .add('snapshots', {
        id: 'snap-1',
        name: 'multi-test-failover-disk-2000-1772400000',
        volumeId: 'vol-web-0',
        state: 'BackedUp',
        revertable: true,
        created: ago(60),
      });
    expect(decisions(plan(b)).filter((d) => d.startsWith('orphan-snapshot'))).toEqual([]);
  });

  it('lets the repair workflows through the in-flight gate', () => {
    const b = sampleWorld()
      .add('failoverJobs', failoverJob('fj-web', 'ctx-web'))
      .add('jobTracking', jobTracking('fj-web'));
    const result = plan(b);
    expect(decisions(result)).toEqual(
      expect.arrayContaining(['stuck-replication-job mark-replication-job-failed → run']),
    );
    expect(decisions(result)).toEqual(expect.arrayContaining(['device-mapping delete-device-mapping → in-flight']));
  });

  it('holds a drift seen again within its grace period, then lets it run once the period is over', () => {
    const id = 'orphan-volume:volume:vol-old';
    const world = (seenAgo: number): WorldBuilder =>
      new WorldBuilder()
        .healthyContext('ok')
        .add('volumes', csVolume('vol-old', { virtualMachineId: OMA_VM_ID }))
        .add('ledger', ledger('volume', 'vol-old'))
        .seen(id, ago(seenAgo));
    const second = plan(world(600), { grace: { override: null } });
    expect(second.drift[0]?.firstSeenAt).toBe(ago(600));
    expect(second.drift[0]?.actions[0]).toMatchObject({
      decision: 'blocked',
      blockedBy: 'grace',
      blockedReason: `first seen ${ago(600)}, 600s ago; orphan-volume waits 3600s`,
    });
    expect(plan(world(3700), { grace: { override: null } }).drift[0]?.actions[0]?.decision).toBe('run');
    expect(
      plan(world(600), { grace: { override: null, byKind: { 'orphan-volume': 300 } } }).drift[0]?.actions[0]?.decision,
    ).toBe('run');
  });

  it('counts a drift never seen before from now, so it waits a full grace period', () => {
    const result = plan(
      new WorldBuilder()
        .healthyContext('ok')
        .add('volumes', csVolume('vol-old'))
        .add('ledger', ledger('volume', 'vol-old')),
      { grace: { override: null } },
    );
    expect(result.drift[0]?.firstSeenAt).toBe(NOW.toISOString());
    expect(result.drift[0]?.actions[0]?.blockedBy).toBe('grace');
  });

  it('waits for the quarantine TTL before deleting, even with --grace-seconds 0', () => {
    const b = (taggedAgo: number): WorldBuilder =>
      new WorldBuilder()
        .healthyContext('ok')
        .add('volumes', csVolume('vol-old', { tags: { 'oma-reconciler/quarantined-at': ago(taggedAgo) } }))
        .add('ledger', ledger('volume', 'vol-old'));
    expect(plan(b(86400)).drift[0]?.actions[0]).toMatchObject({
      action: 'delete-volume',
      decision: 'blocked',
      blockedBy: 'grace',
    });
    expect(plan(b(8 * 86400)).drift[0]?.actions[0]).toMatchObject({ action: 'delete-volume', decision: 'run' });
  });

  it('runs 2 of 5 orphans with a budget of 2, blocks 3 with budget and trips the breaker', () => {
    const b = new WorldBuilder().healthyContext('ok');
    for (const n of [1, 2, 3, 4, 5]) b.add('volumes', csVolume(`vol-${n}`)).add('ledger', ledger('volume', `vol-${n}`));
    const result = plan(b, { budget: { destructivePerPass: 2 } });
    expect(decisions(result)).toEqual([
      'orphan-volume quarantine-volume → run',
      'orphan-volume quarantine-volume → run',
      'orphan-volume quarantine-volume → budget',
      'orphan-volume quarantine-volume → budget',
      'orphan-volume quarantine-volume → budget',
    ]);
    expect(result.tripped.budget).toBe('budget exceeded: 2 destructive action(s) per pass already planned');
  });

  it('counts destructive actions of the last hour against the per-kind budget', () => {
    const b = new WorldBuilder().healthyContext('ok');
    for (const n of [1, 2, 3]) b.add('volumes', csVolume(`vol-${n}`)).add('ledger', ledger('volume', `vol-${n}`));
    const result = plan(b, { budget: { destructivePerHourPerKind: 5, recentByKind: { 'orphan-volume': 4 } } });
    expect(decisions(result)).toEqual([
      'orphan-volume quarantine-volume → run',
      'orphan-volume quarantine-volume → budget',
      'orphan-volume quarantine-volume → budget',
    ]);
    expect(result.tripped.budget).toMatch(/orphan-volume reached 5 destructive action\(s\) in the last hour/);
  });

  it('never spends the budget on non-destructive actions', () => {
    const result = plan(sampleWorld(), { budget: { destructivePerPass: 0 } });
    expect(destructiveRun(result)).toEqual([]);
    expect(decisions(result)).toEqual(
      expect.arrayContaining([
        'volume-attachment attach-volume-to-oma → run',
        'missing-nbd-export add-nbd-export → run',
      ]),
    );
  });

  it('blocks everything in observe mode', () => {
    const result = plan(sampleWorld(), { mode: 'observe' });
    expect(actions(result).every((a) => a.action.decision === 'blocked')).toBe(true);
    expect(
      actions(result)
        .filter((a) => a.action.blockedBy === 'mode')
        .every((a) => a.action.dryRun !== true),
    ).toBe(true);
  });

  it('blocks everything in dry-run mode but marks what would have run', () => {
    const result = plan(sampleWorld(), { mode: 'dry-run' });
    const wouldRun = actions(result).filter((a) => a.action.dryRun === true);
    expect(actions(result).every((a) => a.action.decision === 'blocked')).toBe(true);
    expect(wouldRun.length).toBe(15);
    expect(
      wouldRun.every(
        (a) => a.action.blockedBy === 'mode' && a.action.blockedReason === 'dry-run: would run in enforce mode',
      ),
    ).toBe(true);
    expect(actions(result).find((a) => a.action.blockedBy === 'ownership')?.action.dryRun).toBeUndefined();
  });

  it('does not trip the budget breaker for a plan that would not act', () => {
    const b = new WorldBuilder().healthyContext('ok');
    for (const n of [1, 2, 3]) b.add('volumes', csVolume(`vol-${n}`)).add('ledger', ledger('volume', `vol-${n}`));
    expect(plan(b, { mode: 'dry-run', budget: { destructivePerPass: 1 } }).tripped).toEqual({});
    expect(plan(b, { isLeader: false, budget: { destructivePerPass: 1 } }).tripped).toEqual({});
  });

  it('applies per-kind modes, but never above the safety ceiling', () => {
    const only = (r: GateResult, kind: string): string[] => decisions(r).filter((d) => d.startsWith(kind));
    const perKind = plan(sampleWorld(), { mode: 'observe', modeByKind: { 'orphan-row': 'enforce' } });
    expect(only(perKind, 'orphan-row')).toEqual(['orphan-row delete-row → run']);
    expect(only(perKind, 'orphan-snapshot')).toEqual(['orphan-snapshot delete-snapshot → mode']);
    const capped = plan(sampleWorld(), { modeByKind: { 'orphan-row': 'enforce' }, modeCeiling: 'dry-run' });
    expect(only(capped, 'orphan-row')).toEqual(['orphan-row delete-row → mode']);
  });

  it('blocks everything on an instance that is not the leader', () => {
    const result = plan(sampleWorld(), { isLeader: false });
    expect(actions(result).every((a) => a.action.decision === 'blocked')).toBe(true);
    expect(actions(result).filter((a) => a.action.blockedBy === 'not-leader')).toHaveLength(15);
  });

  it('reports a paused context without acting on it', () => {
    const b = sampleWorld().patch('contexts', 'ctx-web', { annotations: { 'oma-reconciler/paused': 'true' } });
    const web = plan(b)
      .drift.filter((d) => d.contextId === 'ctx-web')
      .flatMap((d) => d.actions);
    expect(web.length).toBeGreaterThan(0);
    expect(
      web.every(
        (a) =>
          a.blockedBy === 'paused' && a.blockedReason === 'context ctx-web is annotated oma-reconciler/paused: "true"',
      ),
    ).toBe(true);
  });

  it('honours a pause on the job row of the subject', () => {
    const b = sampleWorld().patch('replicationJobs', 'job-db', {
      annotations: { 'oma-reconciler/cleanup': 'requested', 'oma-reconciler/paused': 'true' },
    });
    expect(decisions(plan(b))).toContain('cleanup-request run-replication-job-cleanup → paused');
  });

  it('records the gates each action passed, in contract order, up to the one that blocked', () => {
    const result = plan(sampleWorld(), { budget: { destructivePerPass: 1 } });
    for (const { action } of actions(result)) {
      const gates = (action.trail ?? []).map((c) => c.gate);
      expect(gates).toEqual(GATES.slice(0, gates.length));
      expect(action.trail?.at(-1)?.passed).toBe(action.decision === 'run');
      if (action.decision === 'run') expect(gates).toEqual([...GATES]);
    }
  });

  it('gives the same decisions for the same inputs', () => {
    const ctx: GateContext = testGateContext({ grace: { override: 0 }, budget: { destructivePerPass: 3 } });
    const world = sampleWorld().build();
    const items = diffAll(world, ctx.policy, NOW);
    expect(applyGates(items, world, ctx)).toEqual(applyGates(items, world, ctx));
  });
});
