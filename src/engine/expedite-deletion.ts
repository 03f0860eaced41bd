/**
 * "Delete now" of a quarantined volume: moves its quarantine tag back by the TTL so the next pass's
 * `orphan-volume` reconciler proposes the deletion at once — still behind the ownership, budget and
 * mode gates, and re-checked by the actuator. Nothing is deleted here. Audited.
 */
import { QUARANTINE_TAG } from '../../reconcilers/lib/names.js';
import type { EngineDeps } from './engine-deps.js';
import { recordIntent, recordOutcome } from './store/audit-log.js';

/** Outcome of an expedite request. */
export interface ExpediteResult {
  readonly status: 'expedited' | 'not-found' | 'refused' | 'failed';
  readonly message: string;
}

/** Ends the quarantine of `volumeId` now (the deletion follows in the next pass). */
export async function expediteDeletion(deps: EngineDeps, volumeId: string, by: string): Promise<ExpediteResult> {
  const { client } = await deps.cloudstack();
  const listed = await client.listVolumes({ id: volumeId, listAll: true });
  const volume = listed.items.find((v) => v.id === volumeId);
  if (!volume && !listed.complete) {
    return { status: 'failed', message: `cannot check volume ${volumeId}: ${listed.error ?? 'listing incomplete'}` };
  }
  if (!volume) return { status: 'not-found', message: `CloudStack has no volume ${volumeId}` };
  const taggedAt = volume.tags[QUARANTINE_TAG];
  if (taggedAt === undefined) {
    return {
      status: 'refused',
      message: `volume ${volumeId} is not quarantined; only a quarantined volume can be deleted now`,
    };
  }
  if (volume.virtualMachineId !== null) {
    return {
      status: 'refused',
      message: `volume ${volumeId} is attached to ${volume.virtualMachineId} again; not deleted`,
    };
  }
  const now = deps.clock();
  const backdated = new Date(now.getTime() - deps.config.quarantineTtlSeconds * 1000 - 1000).toISOString();
  const db = deps.database.db;
  const id = await recordIntent(db, {
    passId: `expedite-${now.getTime()}`,
    driftId: null,
    kind: 'orphan-volume',
    action: 'expedite-deletion',
    subject: { type: 'volume', id: volumeId, name: volume.name },
    contextId: null,
    destructive: false,
    detail: { quarantinedAt: taggedAt, backdatedTo: backdated },
    actor: by,
    leaderHost: deps.hostname,
  });
  try {
    await client.deleteTags({ resourceType: 'Volume', resourceIds: [volumeId], tags: { [QUARANTINE_TAG]: null } });
    await client.createTags({ resourceType: 'Volume', resourceIds: [volumeId], tags: { [QUARANTINE_TAG]: backdated } });
  } catch (e) {
    const message = (e as Error).message;
    await recordOutcome(db, id, 'error', message);
    return { status: 'failed', message: `could not re-tag volume ${volumeId}: ${message}` };
  }
  await recordOutcome(db, id, 'success', null);
  return {
    status: 'expedited',
    message: `the quarantine of ${volume.name} ends now; the next pass deletes it behind its gates`,
  };
}
