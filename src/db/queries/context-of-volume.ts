import type { Kysely } from 'kysely';
import type { DB } from '../schema-types.js';

/**
 * The context a volume belongs to, looked up in `ossea_volumes` as the Volume Daemon looks it up
 * (null when the volume has no row). Both writers of volume bookkeeping — the daemon simulator and
 * the direct writer — stamp it on the rows they add.
 */
export async function contextOfVolume(db: Kysely<DB>, volumeId: string): Promise<string | null> {
  const row = await db
    .selectFrom('ossea_volumes')
    .select('vm_context_id')
    .where('volume_id', '=', volumeId)
    .executeTakeFirst();
  return row?.vm_context_id ?? null;
}
