import { describe, expect, it } from 'vitest';
import { needsByKind } from '../../../reconcilers/index.js';
import { configSchema } from '../../../src/config/config-schema.js';
import { gateContextFromConfig } from '../../../src/engine/gates/gate-context.js';
import { graceSecondsFor } from '../../../src/engine/gates/grace-gate.js';
import { effectiveMode } from '../../../src/engine/gates/mode-gate.js';
import { testGateContext } from '../../fixtures-world/gate-context.js';
import { NOW, testPolicy } from '../../fixtures-world/world-builder.js';

describe('the gate context', () => {
  it('takes mode, grace, budget and sanity from the configuration', () => {
    const config = configSchema.parse({
      mode: 'dry-run',
      modeByKind: { 'orphan-row': 'enforce' },
      graceSeconds: { 'orphan-volume': 60 },
      budget: { destructivePerPass: 3 },
    });
    const ctx = gateContextFromConfig(config, {
      now: NOW,
      policy: testPolicy(),
      isLeader: true,
      needs: needsByKind(),
      recentByKind: { 'orphan-volume': 2 },
    });
    expect(ctx).toMatchObject({
      mode: 'dry-run',
      modeByKind: { 'orphan-row': 'enforce' },
      modeCeiling: null,
      grace: { byKind: { 'orphan-volume': 60 }, override: null },
      budget: { destructivePerPass: 3, destructivePerHourPerKind: 30, recentByKind: { 'orphan-volume': 2 } },
      sanity: { minInventoryRatio: 0.5, minInventoryForRatio: 10 },
    });
  });

  it('uses the per-kind defaults unless config or --grace-seconds say otherwise', () => {
    expect(graceSecondsFor('orphan-volume', testGateContext())).toBe(3600);
    expect(graceSecondsFor('orphan-snapshot', testGateContext())).toBe(1800);
    expect(graceSecondsFor('cleanup-request', testGateContext())).toBe(0);
    expect(graceSecondsFor('orphan-volume', testGateContext({ grace: { byKind: { 'orphan-volume': 10 } } }))).toBe(10);
    expect(
      graceSecondsFor('orphan-volume', testGateContext({ grace: { byKind: { 'orphan-volume': 10 }, override: 0 } })),
    ).toBe(0);
  });

  it('lets a per-kind mode override the global mode but not the safety ceiling', () => {
    expect(
      effectiveMode('orphan-row', testGateContext({ mode: 'observe', modeByKind: { 'orphan-row': 'enforce' } })),
    ).toBe('enforce');
    expect(effectiveMode('orphan-row', testGateContext({ modeByKind: { 'orphan-row': 'observe' } }))).toBe('observe');
    expect(
      effectiveMode('orphan-row', testGateContext({ modeByKind: { 'orphan-row': 'enforce' }, modeCeiling: 'dry-run' })),
    ).toBe('dry-run');
    expect(
      effectiveMode('orphan-row', testGateContext({ modeByKind: { 'orphan-row': 'observe' }, modeCeiling: 'dry-run' })),
    ).toBe('observe');
  });
});
