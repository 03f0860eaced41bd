import type { Mode } from '../../config/config-schema.js';
import type { DriftKind } from '../../world/drift-kinds.js';
import type { GateCheck } from '../../reconcile/types.js';
import type { GateContext } from './gate-context.js';

const STRICTNESS: Readonly<Record<Mode, number>> = { enforce: 0, 'dry-run': 1, observe: 2 };

/** The mode for a kind: its override (or the global mode), never looser than the safety ceiling. */
export function effectiveMode(kind: DriftKind, ctx: GateContext): Mode {
  const chosen = ctx.modeByKind[kind] ?? ctx.mode;
  const ceiling = ctx.modeCeiling;
  return ceiling !== null && STRICTNESS[ceiling] > STRICTNESS[chosen] ? ceiling : chosen;
}

/** `mode`: observe blocks everything; dry-run blocks everything but marks it as would-run. */
export function modeGate(kind: DriftKind, ctx: GateContext): GateCheck & { readonly dryRun: boolean } {
  const mode = effectiveMode(kind, ctx);
  if (mode === 'observe') return { gate: 'mode', passed: false, detail: 'observe mode: report only', dryRun: false };
  if (mode === 'dry-run') {
    return { gate: 'mode', passed: false, detail: 'dry-run: would run in enforce mode', dryRun: true };
  }
  return { gate: 'mode', passed: true, detail: 'enforce', dryRun: false };
}
