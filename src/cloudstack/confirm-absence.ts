/**
 * Absence is confirmed, not inferred (issue 15, 6.1): a volume the database expects but the full
 * listing lacks is looked up by id before any drift is built on its absence. A listing that missed
 * a volume a targeted lookup finds was not the whole truth, and the CloudStack source is then
 * incomplete for this pass (the next pass lists again).
 */
import { CloudStackHttpError } from './errors.js';
import type { CallOptions, CloudStackClient } from './cloudstack-client.js';

/** Lookups per pass at most; more expected-but-unlisted volumes than this leave the source incomplete. */
export const MAX_ABSENCE_LOOKUPS = 50;

/** Why the listing cannot be believed about the expected ids, or null when every absence is confirmed. */
export async function confirmVolumesAbsent(
  client: Pick<CloudStackClient, 'listVolumes'>,
  expected: Iterable<string>,
  listed: ReadonlySet<string>,
  options: CallOptions = {},
): Promise<string | null> {
  const missing = [...new Set(expected)].filter((id) => !listed.has(id)).sort();
  if (missing.length === 0) return null;
  if (missing.length > MAX_ABSENCE_LOOKUPS) {
    return `listVolumes: ${missing.length} volumes the database expects are not listed, more than the ${MAX_ABSENCE_LOOKUPS} a pass confirms one by one`;
  }
  const found: string[] = [];
  for (const id of missing) {
    const result = await client.listVolumes({ listAll: true, id }, options);
    // 431 = no such volume (CloudStack refuses an id it does not know): absence confirmed.
    if (!result.complete && result.cause instanceof CloudStackHttpError && result.cause.status === 431) continue;
    if (!result.complete) {
      return `listVolumes id=${id}: cannot confirm the volume is gone: ${result.error ?? 'incomplete answer'}`;
    }
    if (result.items.some((v) => v.id === id)) found.push(id);
  }
  return found.length === 0
    ? null
    : `listVolumes: the full listing lacked ${found.length} volume(s) a lookup by id found (${found.slice(0, 3).join(', ')}); the listing changed while it was read`;
}
