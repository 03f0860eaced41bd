import type { World } from '../world/world.js';
import { QUARANTINE_TAG } from '../../reconcilers/lib/names.js';

/** How many volumes are quarantined and when the first of them is due for deletion (tag time + TTL). */
export function quarantineSummary(
  world: World,
  ttlSeconds: number,
): { volumes: number; nextDeletionAt: string | null } {
  let volumes = 0;
  let next: number | null = null;
  for (const v of world.cloudstack.volumes) {
    const tag = v.tags[QUARANTINE_TAG];
    if (tag === undefined) continue;
    volumes++;
    const at = Date.parse(tag);
    if (Number.isNaN(at)) continue;
    const due = at + ttlSeconds * 1000;
    if (next === null || due < next) next = due;
  }
  return { volumes, nextDeletionAt: next === null ? null : new Date(next).toISOString() };
}
