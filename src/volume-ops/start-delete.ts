/**
 * How every writer starts a delete: refuse while another operation works on the volume, then look
 * it up live; a volume CloudStack no longer has only loses its device mapping ("already gone").
 */
import { findVolume } from '../cloudstack/find-objects.js';
import type { CsVolume } from '../world/world.js';
import { refuseWhileInFlight } from './in-flight-operation.js';
import type { MoveOutcome, VolumeWriterDeps } from './volume-writer.js';

/** The live volume to delete, or the outcome when it is already gone. */
export type DeleteStart = { readonly live: CsVolume; readonly gone?: undefined } | { readonly live?: undefined; readonly gone: MoveOutcome };

export async function startDelete(deps: VolumeWriterDeps, volumeId: string, operationStaleMs: number): Promise<DeleteStart> {
  await refuseWhileInFlight(deps.db, volumeId, operationStaleMs, deps.clock());
  const live = await findVolume(deps.cloudstack, volumeId, deps.signal);
  if (live) return { live };
  await deps.db.deleteFrom('device_mappings').where('volume_uuid', '=', volumeId).execute();
  return { gone: { changed: false, message: `volume ${volumeId} is already gone`, nbdChanged: false, operationId: null } };
}
