/**
 * Absence is confirmed, not inferred (issue 15, 6.1): a volume, snapshot or VM the database expects
 * but the full listing lacks is looked up by id before any drift is built on its absence. A listing
 * that missed an object a targeted lookup finds was not the whole truth, and the CloudStack source
 * is then incomplete for this pass (the next pass lists again).
 */
import type { CloudStackFacts } from '../world/world.js';
import { CloudStackHttpError } from './errors.js';
import type { CallOptions, CloudStackClient } from './cloudstack-client.js';
import type { ListResult } from './types.js';

/** Ids asked for in one lookup (`ids=a,b,…`): a pass confirms hundreds of vanished objects in a few requests. */
export const LOOKUP_BATCH = 50;

/**
 * Lookup requests per pass at most. A batch that names an id CloudStack never knew is refused
 * whole (431), and its ids are then looked up one by one; past this many requests the source is
 * incomplete rather than the pass slow.
 */
export const MAX_ABSENCE_LOOKUPS = 100;

type Lister = Pick<CloudStackClient, 'listVolumes' | 'listSnapshots' | 'listVirtualMachines'>;
type Kind = keyof CloudStackFacts;

/** The ids of each kind the database expects CloudStack to hold. */
export type ExpectedObjects = Readonly<Record<Kind, Iterable<string>>>;

/** One lookup by id (`id`) or by a batch of ids (`ids`). */
type Lookup = { readonly id: string } | { readonly ids: readonly string[] };

interface KindSpec {
  readonly command: string;
  readonly noun: string;
  readonly lookup: (client: Lister, by: Lookup, options: CallOptions) => Promise<ListResult<{ readonly id: string }>>;
}

// Volumes first: the order the listings are believed in, and the order a problem is reported in.
const KINDS: Readonly<Record<Kind, KindSpec>> = {
  volumes: {
    command: 'listVolumes',
    noun: 'volume',
    lookup: (c, by, o) => c.listVolumes({ listAll: true, ...by }, o),
  },
  snapshots: {
    command: 'listSnapshots',
    noun: 'snapshot',
    lookup: (c, by, o) => c.listSnapshots({ listAll: true, ...by }, o),
  },
  virtualMachines: {
    command: 'listVirtualMachines',
    noun: 'VM',
    lookup: (c, by, o) => c.listVirtualMachines({ listAll: true, ...by }, o),
  },
};

const isUnknownId = (result: ListResult<unknown>): boolean =>
  !result.complete && result.cause instanceof CloudStackHttpError && result.cause.status === 431;

/** Why the listings cannot be believed about the expected ids, or null when every absence is confirmed. */
export async function confirmAbsence(
  client: Lister,
  expected: ExpectedObjects,
  listed: CloudStackFacts,
  options: CallOptions = {},
): Promise<string | null> {
  const budget = { left: MAX_ABSENCE_LOOKUPS };
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const ids = new Set<string>(listed[kind].map((o) => o.id));
    const missing = [...new Set(expected[kind])].filter((id) => id !== '' && !ids.has(id)).sort();
    if (missing.length === 0) continue;
    const problem = await confirmKind(client, KINDS[kind], missing, budget, options);
    if (problem !== null) return problem;
  }
  return null;
}

async function confirmKind(
  client: Lister,
  spec: KindSpec,
  missing: readonly string[],
  budget: { left: number },
  options: CallOptions,
): Promise<string | null> {
  const found: string[] = [];
  const spend = (): string | null => {
    if (budget.left === 0) {
      return `${missing.length} ${spec.noun}(s) the database expects are not listed; confirming they are gone would take more than the ${MAX_ABSENCE_LOOKUPS} lookups a pass makes`;
    }
    budget.left--;
    return null;
  };
  for (let at = 0; at < missing.length; at += LOOKUP_BATCH) {
    const batch = missing.slice(at, at + LOOKUP_BATCH);
    const over = spend();
    if (over !== null) return over;
    const result = await spec.lookup(client, batch.length === 1 ? { id: batch[0] ?? '' } : { ids: batch }, options);
    if (result.complete) {
      const asked = new Set(batch);
      for (const o of result.items) if (asked.has(o.id)) found.push(o.id);
      continue;
    }
    // 431 = an id CloudStack never knew: that id is gone for sure, but the answer does not say which
    // one it was, so each id of the batch is looked up alone (an empty list = removed: gone too).
    if (!isUnknownId(result)) return cannotConfirm(spec, batch, result);
    if (batch.length === 1) continue;
    for (const id of batch) {
      const alone = spend();
      if (alone !== null) return alone;
      const one = await spec.lookup(client, { id }, options);
      if (isUnknownId(one)) continue;
      if (!one.complete) return cannotConfirm(spec, [id], one);
      if (one.items.some((o) => o.id === id)) found.push(id);
    }
  }
  return found.length === 0
    ? null
    : `${spec.command}: the full listing lacked ${found.length} ${spec.noun}(s) a lookup by id found (${found.slice(0, 3).join(', ')}); the listing changed while it was read`;
}

function cannotConfirm(spec: KindSpec, ids: readonly string[], result: ListResult<unknown>): string {
  const by = ids.length === 1 ? `id=${ids[0] ?? ''}` : `ids=${ids[0] ?? ''},… (${ids.length})`;
  return `${spec.command} ${by}: cannot confirm the ${spec.noun}${ids.length === 1 ? ' is' : 's are'} gone: ${result.error ?? 'incomplete answer'}`;
}
