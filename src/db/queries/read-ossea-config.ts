import type { Kysely } from 'kysely';
import type { DB } from '../schema-types.js';

/** The active CloudStack configuration, secrets included: for building the client only, never for a world. */
export interface OsseaConfig {
  readonly id: string;
  readonly name: string;
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly secretKey: string;
  readonly domain: string | null;
  /** Zone UUID. */
  readonly zone: string;
  readonly templateId: string | null;
  readonly networkId: string | null;
  readonly serviceOfferingId: string | null;
  readonly diskOfferingId: string | null;
  /** CloudStack VM id of the OMA; null when unset or empty. */
  readonly omaVmId: string | null;
}

/**
 * "The" config as every appliance component selects it (`is_active = 1`, first row; the appliance
 * uses no ORDER BY, lowest id is what InnoDB returns). Null when there is none.
 */
export async function readOsseaConfig(db: Kysely<DB>): Promise<OsseaConfig | null> {
  const row = await db
    .selectFrom('ossea_configs')
    .selectAll()
    .where('is_active', '=', 1)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    apiUrl: row.api_url,
    apiKey: row.api_key,
    secretKey: row.secret_key,
    domain: row.domain,
    zone: row.zone,
    templateId: row.template_id,
    networkId: row.network_id,
    serviceOfferingId: row.service_offering_id,
    diskOfferingId: row.disk_offering_id,
    omaVmId: row.oma_vm_id?.trim() ? row.oma_vm_id.trim() : null,
  };
}

/** Only the OMA VM id of the active config (no secrets leave the database). */
export async function readOmaVmId(db: Kysely<DB>): Promise<string | null> {
  const row = await db
    .selectFrom('ossea_configs')
    .select('oma_vm_id')
    .where('is_active', '=', 1)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.oma_vm_id?.trim() ? row.oma_vm_id.trim() : null;
}
