import { describe, expect, it } from 'vitest';
import { diffAll } from '../../../reconcilers/index.js';
import { applyGates, type GateResult } from '../../../src/engine/gates/apply-gates.js';
import type { VolumeOperationRow } from '../../../src/world/world.js';
import { testGateContext } from '../../fixtures-world/gate-context.js';
import { sampleWorld } from '../../fixtures-world/sample-world.js';
import type { WorldBuilder } from '../../fixtures-world/world-builder.js';
import { ago, context, jobTracking, NOW } from '../../fixtures-world/world-builder.js';

function plan(b: WorldBuilder, grace: number | null = 0): GateResult {
  const world = b.build();
  const ctx = testGateContext({ grace: { override: grace } });
  return applyGates(diffAll(world, ctx.policy, NOW), world, ctx);
}

/** `<kind> <verb> → run | <gate>: <reason>` for the actions of one context. */
function decisionsOf(result: GateResult, contextId: string): string[] {
  return result.drift
    .filter((d) => d.contextId === contextId)
    .flatMap((d) =>
      d.actions.map(
        (a) =>
          `${d.kind} ${a.action} → ${a.decision === 'run' ? 'run' : `${a.blockedBy ?? '?'}: ${a.blockedReason ?? ''}`}`,
      ),
    );
}

function op(id: string, volumeId: string, fields: Partial<VolumeOperationRow> = {}): VolumeOperationRow {
  return {
    id,
    type: 'attach',
    status: 'executing',
    volumeId,
    vmId: 'oma-vm',
    createdAt: ago(30),
    updatedAt: ago(30),
    ...fields,
  };
}

describe('in-flight gate: the appliance is another writer', () => {
  it('holds every action on a volume (and its context) while a Volume Daemon operation runs on it', () => {
    // vol-db-0 is detached but mapped: the pass would re-attach it, while the daemon is working on it.
    const result = plan(sampleWorld().add('volumeOperations', op('op-1', 'vol-db-0', { type: 'detach' })));
    const db = decisionsOf(result, 'ctx-db');
    expect(db.filter((d) => d.includes('attach-volume-to-oma'))).toEqual([
      'volume-attachment attach-volume-to-oma → in-flight: Volume Daemon detach op-1 of volume vol-db-0 is executing (started 30 s ago)',
    ]);
    // Workflows of the same context are held too: one writer per object.
    expect(db.filter((d) => d.includes('→ run'))).toEqual([]);
  });

  it('holds a volume for the settle window after its operation ended, and not after', () => {
    const ended = (secondsAgo: number): GateResult =>
      plan(
        sampleWorld().add(
          'volumeOperations',
          op('op-2', 'vol-db-0', { status: 'completed', createdAt: ago(secondsAgo + 5), updatedAt: ago(secondsAgo) }),
        ),
        null,
      );
    const attach = (r: GateResult) => decisionsOf(r, 'ctx-db').find((d) => d.includes('attach-volume-to-oma'));
    expect(attach(ended(10))).toContain(
      'in-flight: Volume Daemon attach op-2 of volume vol-db-0 ended completed 10 s ago (settle 60 s)',
    );
    expect(attach(ended(120))).not.toContain('in-flight');
  });

  it('does not hold a volume for an operation of ours whose writer was killed: it is failed in the same pass', () => {
    const result = plan(sampleWorld().add('volumeOperations', op('op-5', 'vol-db-0', { writerGone: true })));
    expect(decisionsOf(result, 'ctx-db').find((d) => d.includes('attach-volume-to-oma'))).toBe(
      'volume-attachment attach-volume-to-oma → run',
    );
    expect(
      result.drift.some(
        (d) =>
          d.subject.id === 'volume_operations/op-5' &&
          d.actions.some((a) => a.action === 'fail-volume-operation' && a.decision === 'run'),
      ),
    ).toBe(true);
  });

  it('no longer holds a volume whose operation is older than the stale limit (the stale-operation repair takes over)', () => {
    const result = plan(
      sampleWorld().add('volumeOperations', op('op-3', 'vol-db-0', { createdAt: ago(7200), updatedAt: ago(7200) })),
    );
    expect(decisionsOf(result, 'ctx-db').find((d) => d.includes('attach-volume-to-oma'))).toBe(
      'volume-attachment attach-volume-to-oma → run',
    );
    expect(
      result.drift.some(
        (d) =>
          d.subject.id === 'volume_operations/op-3' &&
          d.actions.some((a) => a.action === 'fail-volume-operation' && a.decision === 'run'),
      ),
    ).toBe(true);
  });

  it("holds our repair workflow while the OMA's own cleanup of the same VM runs, matched by VM name when the row has no context id", () => {
    const running = jobTracking('jt-oma', {
      jobType: 'cleanup',
      operation: 'failed-execution-cleanup',
      status: 'running',
      contextId: null,
      owner: 'system',
      externalJobId: 'failed-execution-cleanup-app-1772300000',
      lastActivityAt: ago(20),
      currentStep: 'detach-attached-volumes',
    });
    const result = plan(sampleWorld().add('jobTracking', running));
    expect(decisionsOf(result, 'ctx-app')).toEqual([
      "stuck-failover-job run-failed-execution-cleanup → in-flight: the OMA's own failed-execution-cleanup job jt-oma is running (step detach-attached-volumes)",
    ]);
  });

  it('does not hold a context for our own job_tracking rows, nor for an OMA job idle past its stale limit', () => {
    const ours = jobTracking('jt-ours', {
      jobType: 'cleanup',
      operation: 'failed-execution-cleanup',
      status: 'running',
      contextId: 'ctx-app',
      owner: 'oma-reconciler',
      lastActivityAt: ago(20),
    });
    const idle = jobTracking('jt-idle', {
      jobType: 'cleanup',
      operation: 'enhanced-test-failover-rollback',
      status: 'running',
      contextId: 'ctx-app',
      owner: 'system',
      lastActivityAt: ago(4000),
    });
    const result = plan(sampleWorld().add('jobTracking', ours, idle));
    expect(decisionsOf(result, 'ctx-app')).toEqual(['stuck-failover-job run-failed-execution-cleanup → run']);
  });

  it('holds a rollback context by its context id', () => {
    const b = sampleWorld().add('contexts', context('ctx-rb', { vmName: 'rb' }));
    const rollback = jobTracking('jt-rb', {
      jobType: 'cleanup',
      operation: 'enhanced-test-failover-rollback',
      status: 'running',
      contextId: 'ctx-app',
      owner: 'system',
      lastActivityAt: ago(5),
      currentStep: 'volume-detachment',
    });
    const result = plan(b.add('jobTracking', rollback));
    expect(decisionsOf(result, 'ctx-app')).toEqual([
      "stuck-failover-job run-failed-execution-cleanup → in-flight: the OMA's own enhanced-test-failover-rollback job jt-rb is running (step volume-detachment)",
    ]);
  });
});
