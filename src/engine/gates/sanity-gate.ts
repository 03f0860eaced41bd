import { SOURCES } from '../../world/drift-kinds.js';
import type { World } from '../../world/world.js';
import type { GateCheck, ProposedAction } from '../../reconcile/types.js';
import type { GateContext } from './gate-context.js';

/**
 * Why the world looks wrong as a whole, or null. A source inventory that shrank below
 * `minInventoryRatio` of the last good pass, or a database without a single VM context while
 * CloudStack still holds volumes from the ownership ledger, means the *desired* state may be what
 * broke (a restore, a truncated table) — then everything would look orphaned.
 */
export function checkSanity(world: World, ctx: GateContext): string | null {
  const problems: string[] = [];
  for (const source of SOURCES) {
    const status = world.sources[source];
    const previous = world.previousInventory[source];
    if (!status.complete || previous === undefined || previous < ctx.sanity.minInventoryForRatio) continue;
    if (status.inventory < previous * ctx.sanity.minInventoryRatio) {
      problems.push(`${source} inventory ${status.inventory} is below ${Math.round(ctx.sanity.minInventoryRatio * 100)}% of the last good pass (${previous})`);
    }
  }
  if (world.sources.database.complete && world.database.contexts.length === 0) {
    const ledger = new Set(world.database.ledger.filter((e) => e.objectType === 'volume').map((e) => e.objectId));
    const held = world.cloudstack.volumes.filter((v) => ledger.has(v.id)).length;
    if (held > 0) problems.push(`the database has no VM contexts while CloudStack holds ${held} ledger volume(s)`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

/** `sanity`: while the world looks wrong, no destructive action runs anywhere. */
export function sanityGate(trip: string | null, action: ProposedAction): GateCheck {
  if (trip === null) return { gate: 'sanity', passed: true, detail: 'inventories plausible' };
  if (!action.destructive) return { gate: 'sanity', passed: true, detail: `non-destructive (sanity tripped: ${trip})` };
  return { gate: 'sanity', passed: false, detail: trip };
}
