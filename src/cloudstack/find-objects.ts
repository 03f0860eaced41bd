/**
 * Targeted lookups of one CloudStack object, read right before acting on it: an incomplete listing
 * throws (it is never read as "absent"), CloudStack's 431 for an unknown id counts as absent.
 */
import type { CloudStackClient } from './cloudstack-client.js';
import { CloudStackHttpError } from './errors.js';
import type { ListResult } from './types.js';
import type { CsSnapshot, CsVirtualMachine, CsVolume } from '../world/world.js';

/** The items of a complete listing; an incomplete one throws (never read as "absent"). */
export function completeItems<T>(list: ListResult<T>, what: string): readonly T[] {
  if (!list.complete) throw new Error(`cannot list ${what}: ${list.error ?? 'listing incomplete'}`);
  return list.items;
}

/** One object by id, or null; a 431 ("entity does not exist") counts as absent. */
async function byId<T extends { readonly id: string }>(
  list: Promise<ListResult<T>>,
  id: string,
  what: string,
): Promise<T | null> {
  const result = await list;
  if (!result.complete && result.cause instanceof CloudStackHttpError && result.cause.status === 431) return null;
  return completeItems(result, `${what} ${id}`).find((x) => x.id === id) ?? null;
}

/** The volume, or null when CloudStack does not have it. */
export function findVolume(cs: CloudStackClient, id: string, signal: AbortSignal): Promise<CsVolume | null> {
  return byId(cs.listVolumes({ id }, { signal }), id, 'volume');
}

/** The snapshot (not `Destroyed`), or null. */
export function findSnapshot(cs: CloudStackClient, id: string, signal: AbortSignal): Promise<CsSnapshot | null> {
  return byId(cs.listSnapshots({ id }, { signal }), id, 'snapshot');
}

/** The VM, or null (expunged). */
export function findVm(cs: CloudStackClient, id: string, signal: AbortSignal): Promise<CsVirtualMachine | null> {
  return byId(cs.listVirtualMachines({ id }, { signal }), id, 'VM');
}
