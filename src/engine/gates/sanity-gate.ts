import { SOURCES } from '../../world/drift-kinds.js';
import type { World } from '../../world/world.js';
import type { ActionVerb, DriftItem, GateCheck, ProposedAction } from '../../reconcile/types.js';
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
      problems.push(
        `${source} inventory ${status.inventory} is below ${Math.round(ctx.sanity.minInventoryRatio * 100)}% of the last good pass (${previous})`,
      );
    }
  }
  if (world.sources.database.complete && world.database.contexts.length === 0) {
    const ledger = new Set(world.database.ledger.filter((e) => e.objectType === 'volume').map((e) => e.objectId));
    const held = world.cloudstack.volumes.filter((v) => ledger.has(v.id)).length;
    if (held > 0) problems.push(`the database has no VM contexts while CloudStack holds ${held} ledger volume(s)`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

/** The appliance table a non-destructive action writes rows of, for the mass-rewrite check. */
const REWRITES: Partial<Record<ActionVerb, { table: string; rows: (w: World) => number }>> = {
  'update-device-mapping': { table: 'device_mappings', rows: (w) => w.database.deviceMappings.length },
  'create-device-mapping': { table: 'device_mappings', rows: (w) => w.database.deviceMappings.length },
  'add-nbd-export': { table: 'nbd_exports', rows: (w) => w.database.nbdExports.length },
  'mark-replication-job-failed': { table: 'replication_jobs', rows: (w) => w.database.replicationJobs.length },
  'clear-current-job': { table: 'vm_replication_contexts', rows: (w) => w.database.contexts.length },
  'fail-volume-operation': { table: 'volume_operations', rows: (w) => w.database.volumeOperations.length },
};

/** The table `action` rewrites rows of, or null (destructive actions have their own rails). */
export function rewrittenTable(action: Pick<ProposedAction, 'action' | 'destructive'>): string | null {
  return action.destructive ? null : (REWRITES[action.action]?.table ?? null);
}

/**
 * Tables a pass would rewrite wholesale: more than `maxRewriteShare` of one table's rows (and at
 * least `minRewritesForShare` of them) touched by non-destructive actions in one pass. Such a pass
 * most likely follows a wrong setting (a by-id directory, an export path), not real drift; its
 * rewrites of that table are held, reported, and counted as sanity blocks. Pure.
 */
export function checkMassRewrites(
  items: readonly DriftItem[],
  world: World,
  ctx: GateContext,
): ReadonlyMap<string, string> {
  const counts = new Map<string, { n: number; rows: number }>();
  for (const item of items) {
    for (const action of item.actions) {
      const rule = action.destructive ? undefined : REWRITES[action.action];
      if (!rule) continue;
      const c = counts.get(rule.table) ?? { n: 0, rows: rule.rows(world) };
      c.n += 1;
      counts.set(rule.table, c);
    }
  }
  const held = new Map<string, string>();
  for (const [table, { n, rows }] of counts) {
    if (n >= ctx.sanity.minRewritesForShare && n > ctx.sanity.maxRewriteShare * rows) {
      held.set(
        table,
        `${n} rewrites of ${table} (${rows} rows) in one pass exceed ${Math.round(ctx.sanity.maxRewriteShare * 100)}% of the table`,
      );
    }
  }
  return held;
}

/**
 * `sanity`: while the world looks wrong, no destructive action runs anywhere; while a pass would
 * rewrite most of one table, none of those rewrites runs.
 */
export function sanityGate(
  trip: string | null,
  action: ProposedAction,
  massRewrites: ReadonlyMap<string, string> = new Map(),
): GateCheck {
  const table = rewrittenTable(action);
  const rewrite = table === null ? undefined : massRewrites.get(table);
  if (rewrite !== undefined) return { gate: 'sanity', passed: false, detail: `mass rewrite held: ${rewrite}` };
  if (trip === null) return { gate: 'sanity', passed: true, detail: 'inventories plausible' };
  if (!action.destructive) return { gate: 'sanity', passed: true, detail: `non-destructive (sanity tripped: ${trip})` };
  return { gate: 'sanity', passed: false, detail: trip };
}
