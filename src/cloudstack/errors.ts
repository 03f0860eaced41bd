/**
 * Errors of the CloudStack client. Each says when it is thrown; whether it is retried is decided
 * by the table in `retry-policy.ts`, never by matching message text.
 */
import { NamedError } from '../errors.js';

/** Base class: every CloudStack failure names the API command it came from. */
export class CloudStackError extends NamedError {
  constructor(
    readonly command: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Thrown when the server answered with an error status (431, 530, 429, a proxy's 502…). */
export class CloudStackHttpError extends CloudStackError {
  constructor(
    command: string,
    /** HTTP status (equals `errorcode` for CloudStack's own errors). */
    readonly status: number,
    /** `errorcode` of the envelope, or null when the body was not a CloudStack envelope. */
    readonly errorcode: number | null,
    /** `cserrorcode` (Java exception class code), absent for 401 and many job failures. */
    readonly cserrorcode: number | null,
    readonly errortext: string,
    /** For 429: the wait the server asked for ("retry after [N] ms"). */
    readonly retryAfterMs: number | null = null,
  ) {
    super(
      command,
      `${command}: HTTP ${status}${errorcode !== null && errorcode !== status ? ` (errorcode ${errorcode})` : ''}: ${errortext}`,
    );
  }
}

/** Thrown on HTTP 401: bad signature, unknown key, expired v3 request, unknown command, clock skew. */
export class CloudStackAuthError extends CloudStackHttpError {}

/** Thrown when an async job ended with `jobstatus=2`; carries the job's `errorcode`/`errortext`. */
export class CloudStackJobFailedError extends CloudStackError {
  constructor(
    command: string,
    readonly jobId: string,
    readonly errorcode: number,
    readonly errortext: string,
  ) {
    super(command, `${command}: job ${jobId} failed with ${errorcode}: ${errortext}`);
  }
}

/** Thrown when one HTTP request, or the wait for an async job, took longer than allowed. */
export class CloudStackTimeoutError extends CloudStackError {
  constructor(
    command: string,
    readonly phase: 'request' | 'job',
    readonly timeoutMs: number,
    /** The job still running on the server when `phase` is `job` (it may yet finish). */
    readonly jobId: string | null = null,
  ) {
    super(
      command,
      phase === 'request'
        ? `${command}: no answer within ${timeoutMs} ms`
        : `${command}: job ${jobId ?? '?'} not finished within ${timeoutMs} ms (it may still complete)`,
    );
  }
}

/** Thrown when the server could not be reached or the connection broke (no HTTP answer). */
export class CloudStackNetworkError extends CloudStackError {
  constructor(
    command: string,
    /** errno-style code such as `ECONNREFUSED`, or null. */
    readonly code: string | null,
    cause: unknown,
    /** `host:port` the request went to (no path, no query: no key can leak), or null. */
    readonly endpoint: string | null = null,
  ) {
    super(
      command,
      `${command}: network error${code ? ` ${code}` : ''}${endpoint ? ` talking to ${endpoint}` : ''}: ${describe(cause)}`,
      { cause },
    );
  }
}

/** Thrown when a 200 answer is not the documented JSON envelope (wrong key, HTML, truncated JSON). */
export class CloudStackProtocolError extends CloudStackError {}

/** Reported (not thrown by list calls) when a paged listing failed or its pages do not add up to `count`. */
export class CloudStackIncompleteListError extends CloudStackError {
  constructor(
    command: string,
    readonly expected: number | null,
    readonly received: number,
    reason: string,
  ) {
    super(command, `${command}: incomplete listing (${received} of ${expected ?? '?'} items): ${reason}`);
  }
}

/** Thrown by `resolveCloudStackSettings` when the URL or a key is neither configured nor in `ossea_configs`. */
export class CloudStackSettingsError extends NamedError {
  constructor(readonly missing: readonly string[]) {
    super(`CloudStack settings incomplete: missing ${missing.join('; ')}`);
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
  }
  return String(e);
}
