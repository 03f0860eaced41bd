/**
 * A CloudStack client built fresh for every operation from the active `ossea_configs` row, as the
 * real daemon does (`cloudstack/factory.go`), with the reconciler's `CLOUDSTACK_*`/`OMA_VM_ID`
 * overrides applied field by field (`resolveCloudStackSettings`).
 */
import type { Kysely } from 'kysely';
import { CloudStackClient } from '../cloudstack/cloudstack-client.js';
import { resolveCloudStackSettings } from '../cloudstack/resolve-settings.js';
import type { CloudStackLogger, PollOptions } from '../cloudstack/types.js';
import type { RetryOptions } from '../cloudstack/retry-policy.js';
import type { Config } from '../config/config-schema.js';
import { readOsseaConfig } from '../db/queries/read-ossea-config.js';
import type { DB } from '../db/schema-types.js';

/** What one operation needs from CloudStack and the active config. */
export interface CloudStackAccess {
  readonly client: CloudStackClient;
  /** The OMA VM (`isOMAVM` compares against it); null when unset anywhere. */
  readonly omaVmId: string | null;
  /** `ossea_configs.zone` / `disk_offering_id`: defaults of `createVolume`. */
  readonly zoneId: string | null;
  readonly diskOfferingId: string | null;
}

/** Client tuning for tests (the project's simulator answers at once). */
export interface CloudStackTuning {
  readonly poll?: Partial<PollOptions>;
  readonly retry?: Partial<RetryOptions>;
}

/** Reads the active config and builds a client; throws naming what is missing. */
export async function openCloudStack(
  db: Kysely<DB>,
  cloudstack: Config['cloudstack'],
  deps: { readonly logger?: CloudStackLogger; readonly tuning?: CloudStackTuning } = {},
): Promise<CloudStackAccess> {
  const row = await readOsseaConfig(db);
  const settings = resolveCloudStackSettings(
    { cloudstack },
    row ? { api_url: row.apiUrl, api_key: row.apiKey, secret_key: row.secretKey, oma_vm_id: row.omaVmId } : null,
  );
  const client = new CloudStackClient({
    apiUrl: settings.apiUrl,
    apiKey: settings.apiKey,
    secretKey: settings.secretKey,
    pageSize: cloudstack.pageSize,
    requestTimeoutMs: cloudstack.requestTimeoutMs,
    asyncJobTimeoutMs: cloudstack.asyncJobTimeoutMs,
    concurrency: cloudstack.concurrency,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.tuning?.poll ? { poll: deps.tuning.poll } : {}),
    ...(deps.tuning?.retry ? { retry: deps.tuning.retry } : {}),
  });
  return { client, omaVmId: settings.omaVmId, zoneId: row?.zone ?? null, diskOfferingId: row?.diskOfferingId ?? null };
}
