/** Compact views of drift for table-driven assertions. */
import type { DriftItem } from '../../src/reconcile/types.js';

/** `<drift id> → <verb>[, <verb>]` per item (`report` when no action), in output order. */
export function summarize(items: readonly DriftItem[]): string[] {
  return items.map((d) => `${d.id} → ${d.actions.length === 0 ? 'report' : d.actions.map((a) => a.action).join(', ')}`);
}
