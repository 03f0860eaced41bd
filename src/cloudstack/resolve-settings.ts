/** Where the daemon's CloudStack endpoint, keys and OMA VM id come from. */
import type { Config } from '../config/config-schema.js';
import { CloudStackSettingsError } from './errors.js';

/** The columns of the active `ossea_configs` row (`WHERE is_active = 1 LIMIT 1`) that matter here. */
export interface OsseaConfigRow {
  readonly api_url: string | null;
  readonly api_key: string | null;
  readonly secret_key: string | null;
  readonly oma_vm_id: string | null;
}

/** Resolved settings. Holds the secret: never log this object whole. */
export interface CloudStackSettings {
  /** Endpoint ending in `/client/api`. */
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly secretKey: string;
  /** The appliance's own VM id, or null when neither source names it. */
  readonly omaVmId: string | null;
  /** Where each value came from, for diagnostics (no secrets). */
  readonly origin: Readonly<Record<'apiUrl' | 'apiKey' | 'secretKey' | 'omaVmId', 'config' | 'ossea_configs' | 'none'>>;
}

const blank = (v: string | null | undefined): v is null | undefined => v === null || v === undefined || v.trim() === '';

/** Appends `/client/api` when the URL has no path, as the appliance's Go client does. */
export function normaliseApiUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  return new URL(trimmed).pathname === '/' ? `${trimmed}/client/api` : trimmed;
}

/**
 * Configuration/environment overrides (`CLOUDSTACK_API_URL`, `CLOUDSTACK_API_KEY`,
 * `CLOUDSTACK_SECRET_KEY`, `OMA_VM_ID`) win over the active `ossea_configs` row, field by field.
 * Throws {@link CloudStackSettingsError} naming every missing value and where it could be set.
 */
export function resolveCloudStackSettings(
  config: Pick<Config, 'cloudstack'>,
  row: OsseaConfigRow | null,
): CloudStackSettings {
  const cs = config.cloudstack;
  const pick = (override: string | undefined, column: string | null | undefined) =>
    !blank(override)
      ? { value: override.trim(), origin: 'config' as const }
      : !blank(column)
        ? { value: column.trim(), origin: 'ossea_configs' as const }
        : { value: null, origin: 'none' as const };
  const apiUrl = pick(cs.apiUrl, row?.api_url);
  const apiKey = pick(cs.apiKey, row?.api_key);
  const secretKey = pick(cs.secretKey, row?.secret_key);
  const omaVmId = pick(cs.omaVmId, row?.oma_vm_id);
  const where = row ? 'of the active ossea_configs row' : '(no active ossea_configs row)';
  const missing = [
    apiUrl.value === null ? `API URL (set CLOUDSTACK_API_URL or ossea_configs.api_url ${where})` : null,
    apiKey.value === null ? `API key (set CLOUDSTACK_API_KEY or ossea_configs.api_key ${where})` : null,
    secretKey.value === null ? `secret key (set CLOUDSTACK_SECRET_KEY or ossea_configs.secret_key ${where})` : null,
  ].filter((m): m is string => m !== null);
  if (apiUrl.value === null || apiKey.value === null || secretKey.value === null) {
    throw new CloudStackSettingsError(missing);
  }
  let url: string;
  try {
    url = normaliseApiUrl(apiUrl.value);
  } catch {
    throw new CloudStackSettingsError([
      `a valid API URL (${apiUrl.origin === 'config' ? 'CLOUDSTACK_API_URL' : 'ossea_configs.api_url'} is not a URL)`,
    ]);
  }
  return {
    apiUrl: url,
    apiKey: apiKey.value,
    secretKey: secretKey.value,
    omaVmId: omaVmId.value,
    origin: { apiUrl: apiUrl.origin, apiKey: apiKey.origin, secretKey: secretKey.origin, omaVmId: omaVmId.origin },
  };
}
