import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { configSchema, type Config } from './config-schema.js';

/** Environment variables of the contract, mapped to their config paths. */
export const ENV_KEYS: Readonly<Record<string, string>> = {
  DATABASE_URL: 'databaseUrl',
  CLOUDSTACK_API_URL: 'cloudstack.apiUrl',
  CLOUDSTACK_API_KEY: 'cloudstack.apiKey',
  CLOUDSTACK_SECRET_KEY: 'cloudstack.secretKey',
  OMA_VM_ID: 'cloudstack.omaVmId',
  NBD_BASE_CONFIG: 'nbd.baseConfig',
  NBD_CONF_DIR: 'nbd.confDir',
  NBD_PID_FILE: 'nbd.pidFile',
  NBD_ADDRESS: 'nbd.address',
  NBD_RESTART_COMMAND: 'nbd.restartCommand',
  DEVICE_BY_ID_DIR: 'deviceByIdDir',
  VOLUME_DAEMON_URL: 'volumeDaemon.url',
  VOLUME_DAEMON_MODE: 'volumeDaemon.mode',
  STATE_DIR: 'stateDir',
  HTTP_LISTEN: 'httpListen',
  API_TOKEN: 'apiToken',
  RECONCILE_MODE: 'mode',
  LOG_LEVEL: 'logLevel',
};

/** Values that must never be echoed back in an error message. */
const SECRET_PATHS = new Set(['cloudstack.secretKey', 'cloudstack.apiKey', 'apiToken']);

/** Where each layer comes from, so error messages can name what the operator actually wrote. */
export interface ConfigSources {
  /** Path of a JSON config file (`--config`); missing file is an error. */
  readonly file?: string | undefined;
  /** Environment (normally `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Command-line overrides, keyed by config path (`logLevel`, `graceSeconds`…), named by flag. */
  readonly flags?: Readonly<Record<string, { readonly flag: string; readonly value: unknown }>>;
}

type Raw = Record<string, unknown>;

function setPath(target: Raw, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node[part] = typeof next === 'object' && next !== null ? next : {};
    node = node[part] as Raw;
  }
  node[parts[parts.length - 1] ?? path] = value;
}

function flatten(value: unknown, prefix: string, out: Map<string, string>, origin: string): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out, origin);
  } else {
    out.set(prefix, origin);
  }
}

function readFileLayer(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`--config: cannot read "${file}": ${(e as Error).message}`]);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Raw;
  } catch (e) {
    throw new ConfigError([`--config: "${file}" is not a JSON object: ${(e as Error).message}`]);
  }
}

function describeIssue(issue: z.core.$ZodIssue, raw: Raw, origins: Map<string, string>): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return `${keys.map((k) => `${origins.get(k) ?? 'config'} key "${k}"`).join(', ')}: unknown setting`;
  }
  let given: unknown = raw;
  for (const p of issue.path) given = (given as Raw | undefined)?.[String(p)];
  const shown = SECRET_PATHS.has(path) ? '[REDACTED]' : JSON.stringify(given);
  const origin = origins.get(path) ?? 'config';
  return `${origin} (${path || '<root>'}): ${shown} is not allowed: ${issue.message}`;
}

/**
 * Builds the frozen configuration from defaults < file < environment < flags. Every problem is
 * reported at once in a {@link ConfigError} naming the key (as the operator wrote it), the value
 * given and what is allowed.
 */
export function loadConfig(sources: ConfigSources = {}): Config {
  const raw: Raw = {};
  const origins = new Map<string, string>();
  if (sources.file) {
    const fileLayer = readFileLayer(sources.file);
    Object.assign(raw, fileLayer);
    flatten(fileLayer, '', origins, `config file ${sources.file}`);
  }
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const value = sources.env?.[name];
    if (value === undefined || value === '') continue;
    setPath(raw, path, value);
    origins.set(path, name);
  }
  for (const [path, { flag, value }] of Object.entries(sources.flags ?? {})) {
    setPath(raw, path, value);
    flatten(value, path, origins, flag);
    origins.set(path, flag);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => describeIssue(i, raw, origins)));
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
