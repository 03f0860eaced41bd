import { describe, expect, it } from 'vitest';
import { diffAll } from '../../reconcilers/index.js';
import { applyGates } from '../../src/engine/gates/apply-gates.js';
import { planJsonSchema, renderPlanTable, toPlanJson } from '../../src/engine/plan-json.js';
import type { PlanJson } from '../../src/reconcile/types.js';
import { testGateContext } from '../fixtures-world/gate-context.js';
import { sampleWorld } from '../fixtures-world/sample-world.js';
import { NOW, WorldBuilder } from '../fixtures-world/world-builder.js';

function planOf(b: WorldBuilder, mode: 'enforce' | 'dry-run' | 'observe' = 'enforce'): PlanJson {
  const world = b.build();
  const ctx = testGateContext({ mode, grace: { override: 0 } });
  return toPlanJson(world, applyGates(diffAll(world, ctx.policy, NOW), world, ctx).drift, mode);
}

describe('the plan JSON', () => {
  it('validates against the contract schema for a sample world with every kind of drift', () => {
    const plan = planOf(sampleWorld().incomplete('devices', 'by-id dir unreadable'));
    expect(planJsonSchema.parse(plan)).toEqual(plan);
    // device-mapping and missing-nbd-export need the devices source: their actions wait for it, and a path is never guessed without it.
    expect(plan.summary).toEqual({ drift: 16, actionsToRun: 12, actionsBlocked: 3, complete: false });
    expect(planOf(sampleWorld()).summary).toEqual({ drift: 16, actionsToRun: 15, actionsBlocked: 1, complete: true });
    expect(plan.sources).toEqual({
      database: { complete: true },
      cloudstack: { complete: true },
      nbd: { complete: true },
      devices: { complete: false, error: 'by-id dir unreadable' },
      'volume-daemon': { complete: true },
    });
  });

  it('carries only the contract fields of each action (no params, ownership or trail)', () => {
    const plan = planOf(sampleWorld());
    const volume = plan.drift.find((d) => d.id === 'orphan-volume:volume:vol-old');
    expect(volume?.actions).toEqual([
      { action: 'quarantine-volume', destructive: true, decision: 'run', blockedBy: null },
    ]);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('keeps notes and reports drift without actions', () => {
    const plan = planOf(sampleWorld());
    const missing = plan.drift.find((d) => d.kind === 'missing-volume');
    expect(missing?.actions).toEqual([]);
    expect(missing?.note).toMatch(/report only/);
  });

  it('is empty with zero counts for a healthy world', () => {
    const plan = planOf(new WorldBuilder().healthyContext('web'));
    expect(plan).toEqual({
      observedAt: NOW.toISOString(),
      mode: 'enforce',
      sources: {
        database: { complete: true },
        cloudstack: { complete: true },
        nbd: { complete: true },
        devices: { complete: true },
        'volume-daemon': { complete: true },
      },
      drift: [],
      summary: { drift: 0, actionsToRun: 0, actionsBlocked: 0, complete: true },
    });
  });

  it('rejects anything that strays from the contract shape', () => {
    const plan = planOf(sampleWorld());
    expect(planJsonSchema.safeParse({ ...plan, extra: 1 }).success).toBe(false);
    expect(planJsonSchema.safeParse({ ...plan, mode: 'yolo' }).success).toBe(false);
    const [first, ...rest] = plan.drift;
    const badGate = {
      ...first,
      actions: [{ action: 'quarantine-volume', destructive: true, decision: 'blocked', blockedBy: 'vibes' }],
    };
    expect(planJsonSchema.safeParse({ ...plan, drift: [badGate, ...rest] }).success).toBe(false);
  });
});

describe('the plan table', () => {
  it('lists kind, subject, action and decision per action, then the summary ending in the drift count', () => {
    const text = renderPlanTable(planOf(sampleWorld(), 'dry-run'));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KIND\s+SUBJECT\s+ACTION\s+DECISION$/);
    expect(text).toMatch(
      /orphan-volume\s+volume vol-old \(migration-old-old-disk-0\)\s+quarantine-volume!\s+blocked: mode/,
    );
    expect(text).toMatch(/orphan-volume\s+volume vol-lookalike .*\s+quarantine-volume!\s+blocked: ownership/);
    expect(text).toMatch(/missing-volume\s+volume vol-web-1 .*\s+-\s+report/);
    expect(lines.at(-1)).toBe(
      `mode dry-run, observed ${NOW.toISOString()}; actions to run: 0, blocked: 16 (! = destructive); drift: 16`,
    );
  });

  it('names incomplete sources and says when there is no drift', () => {
    const text = renderPlanTable(
      planOf(new WorldBuilder().healthyContext('web').incomplete('nbd', 'conf.d unreadable')),
    );
    expect(text.split('\n').slice(0, 2)).toEqual(['no drift', 'incomplete sources: nbd (conf.d unreadable)']);
    expect(text.trimEnd().endsWith('drift: 0')).toBe(true);
  });
});
