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

/** Lookups per pass at most; more expected-but-unlisted objects than this leave the source incomplete. */
export const MAX_ABSENCE_LOOKUPS = 50;

type Lister = Pick<CloudStackClient, 'listVolumes' | 'listSnapshots' | 'listVirtualMachines'>;
type Kind = keyof CloudStackFacts;

/** The ids of each kind the database expects CloudStack to hold. */
export type ExpectedObjects = Readonly<Record<Kind, Iterable<string>>>;

interface KindSpec {
  readonly command: string;
  readonly noun: string;
  readonly lookup: (client: Lister, id: string, options: CallOptions) => Promise<ListResult<{ readonly id: string }>>;
}

// Volumes first: the order the listings are believed in, and the order a problem is reported in.
const KINDS: Readonly<Record<Kind, KindSpec>> = {
  volumes: {
    command: 'listVolumes',
    noun: 'volume',
    lookup: (c, id, o) => c.listVolumes({ listAll: true, id }, o),
  },
  snapshots: {
    command: 'listSnapshots',
    noun: 'snapshot',
    lookup: (c, id, o) => c.listSnapshots({ listAll: true, id }, o),
  },
  virtualMachines: {
    command: 'listVirtualMachines',
    noun: 'VM',
    lookup: (c, id, o) => c.listVirtualMachines({ listAll: true, id }, o),
  },
};

/** Why the listings cannot be believed about the expected ids, or null when every absence is confirmed. */
export async function confirmAbsence(
  client: Lister,
  expected: ExpectedObjects,
  listed: CloudStackFacts,
  options: CallOptions = {},
): Promise<string | null> {
  const kinds = Object.keys(KINDS) as Kind[];
  const missing = kinds.map((kind) => {
    const ids = new Set<string>(listed[kind].map((o) => o.id));
    return { kind, ids: [...new Set(expected[kind])].filter((id) => id !== '' && !ids.has(id)).sort() };
  });
  const total = missing.reduce((n, m) => n + m.ids.length, 0);
  if (total === 0) return null;
  if (total > MAX_ABSENCE_LOOKUPS) {
    const parts = missing.filter((m) => m.ids.length > 0).map((m) => `${m.ids.length} ${KINDS[m.kind].noun}(s)`);
    return `${total} objects the database expects are not listed (${parts.join(', ')}), more than the ${MAX_ABSENCE_LOOKUPS} a pass confirms one by one`;
  }
  for (const { kind, ids } of missing) {
    const problem = await confirmKind(client, KINDS[kind], ids, options);
    if (problem !== null) return problem;
  }
  return null;
}

async function confirmKind(
  client: Lister,
  spec: KindSpec,
  missing: readonly string[],
  options: CallOptions,
): Promise<string | null> {
  const found: string[] = [];
  for (const id of missing) {
    const result = await spec.lookup(client, id, options);
    // 431 = an id CloudStack never knew; an empty list = one it removed: absence confirmed either way.
    if (!result.complete && result.cause instanceof CloudStackHttpError && result.cause.status === 431) continue;
    if (!result.complete) {
      return `${spec.command} id=${id}: cannot confirm the ${spec.noun} is gone: ${result.error ?? 'incomplete answer'}`;
    }
    if (result.items.some((o) => o.id === id)) found.push(id);
  }
  return found.length === 0
    ? null
    : `${spec.command}: the full listing lacked ${found.length} ${spec.noun}(s) a lookup by id found (${found.slice(0, 3).join(', ')}); the listing changed while it was read`;
}
