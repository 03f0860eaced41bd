import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Log levels accepted by `--log-level` and `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Field paths that may carry secrets anywhere in a log object. pino censors them before the line is
 * serialised, so a secret never reaches stdout or journald.
 */
const REDACT_PATHS = [
  'secretKey',
  '*.secretKey',
  '*.*.secretKey',
  'secret_key',
  '*.secret_key',
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'api_key',
  '*.api_key',
  'apiToken',
  '*.apiToken',
  '*.*.apiToken',
  'token',
  '*.token',
  'password',
  '*.password',
  '*.*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'signature',
  '*.signature',
];

/** Replaces the password of a URL such as `mysql://user:pw@host/db` with `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/** Removes `apikey=` and `signature=` values from a CloudStack request URL before it is logged. */
export function redactQuery(url: string): string {
  return url.replace(/([?&](?:apikey|signature|secretkey)=)[^&]*/gi, '$1***');
}

/**
 * Creates the process logger: pino JSON, one event per line, secrets censored. Components take a
 * child logger (`logger.child({ component: 'cloudstack' })`).
 */
export function createLogger(level: LevelWithSilent = 'info', destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'oma-reconciler' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
