import { describe, expect, it } from 'vitest';
import { diffAll } from '../../../reconcilers/index.js';
import { failedOperations } from '../../../src/http/status-page/failed-operations.js';
import type { GatedDrift } from '../../../src/reconcile/types.js';
import { sampleWorld } from '../../fixtures-world/sample-world.js';
import { NOW, testPolicy } from '../../fixtures-world/world-builder.js';

function gatedOf(items: ReturnType<typeof diffAll>): GatedDrift[] {
  return items.map((d) => ({
    ...d,
    firstSeenAt: null,
    actions: d.actions.map((a) => ({ ...a, decision: 'run' as const, blockedBy: null, blockedReason: null })),
  }));
}

describe('failedOperations', () => {
  it('shows a banner for the stuck test failover with the steps the cleanup would run for that VM', () => {
    const world = sampleWorld().build();
    const ops = failedOperations(world, gatedOf(diffAll(world, testPolicy(), NOW)));
    expect(ops.map((o) => o.vmName)).toEqual(['app']);
    const [op] = ops;
    expect(op?.failoverJobId).toBe('fj-app');
    expect(op?.cleanup).toBeNull();
    // From the workflow's own analysis of this world, not a fixed list: it names the test VM.
    expect(op?.steps.some((s) => s.includes('tvm-app'))).toBe(true);
    expect(op?.steps.at(-1)).toMatch(/Validate app/);
  });

  it('shows no banner when nothing is stuck', () => {
    const world = sampleWorld().build();
    const items = diffAll(world, testPolicy(), NOW).filter((d) => d.kind !== 'stuck-failover-job');
    expect(failedOperations(world, gatedOf(items))).toEqual([]);
  });
});
