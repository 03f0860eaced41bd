/**
 * What a reconciler is: one drift kind, the sources it needs, and a pure diff of one world.
 */
import type { DriftItem, Policy } from '../../src/reconcile/types.js';
import type { DriftKind, SourceName } from '../../src/world/drift-kinds.js';
import type { World } from '../../src/world/world.js';
import type { WorldIndex } from './world-index.js';

/** A pure reconciler: one drift kind, the sources it needs, and its diff. */
export interface Reconciler {
  readonly kind: DriftKind;
  readonly needs: readonly SourceName[];
  /**
   * The drift of one world. `index` holds the world's lookup tables: `diffAll` builds them once per
   * pass and hands the same tables to every reconciler and gate; a reconciler called alone builds them.
   */
  diff(world: World, policy: Policy, now: Date, index?: WorldIndex): readonly DriftItem[];
}
