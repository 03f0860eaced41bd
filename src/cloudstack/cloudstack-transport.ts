/**
 * One signed HTTP request to CloudStack and the mapping of its answer to either the inner response
 * object or a typed error. No retries here (see `retry-policy.ts`); one metrics observation per request.
 */
import { redactQuery } from '../log.js';
import { formatCsTimestamp } from './cs-time.js';
import { asObject } from './decode-objects.js';
import {
  CloudStackAuthError,
  CloudStackError,
  CloudStackHttpError,
  CloudStackNetworkError,
  CloudStackProtocolError,
  CloudStackTimeoutError,
} from './errors.js';
import type { CloudStackMetrics, CloudStackOutcome } from './cloudstack-metrics.js';
import { parseRetryAfterMs } from './retry-policy.js';
import { encodeSignedParams, signRequest, type RequestParams } from './sign-request.js';
import type { CloudStackLogger } from './types.js';

/** Everything one request needs. Secrets stay inside this object and never reach a log line. */
export interface TransportOptions {
  /** Full endpoint, e.g. `http://cloudstack:8080/client/api`. */
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly secretKey: string;
  readonly requestTimeoutMs: number;
  /** `auto` sends reads as GET and state changes as POST (what `enforce.post.requests` requires). */
  readonly httpMethod: 'GET' | 'POST' | 'auto';
  /** Sign with `signatureVersion=3` and an `expires` this many seconds ahead; 0 = plain signing. */
  readonly expiresInSeconds: number;
  readonly metrics: CloudStackMetrics;
  readonly logger: CloudStackLogger | null;
  readonly fetch: typeof fetch;
  readonly now: () => Date;
}

/** Sends signed requests and counts them. */
export class CloudStackTransport {
  #requests = 0;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  /** HTTP requests sent so far (all commands, all outcomes). */
  get requests(): number {
    return this.#requests;
  }

  /**
   * Sends `command` with `params` (lowercase names) and returns the object inside
   * `<command lowercased>response`. Throws a {@link CloudStackError} subclass otherwise.
   */
  async send(command: string, params: RequestParams, signal?: AbortSignal): Promise<Readonly<Record<string, unknown>>> {
    const o = this.#options;
    const all: Record<string, string> = { ...params, command, response: 'json', apikey: o.apiKey };
    if (o.expiresInSeconds > 0) {
      all.signatureversion = '3';
      all.expires = formatCsTimestamp(new Date(o.now().getTime() + o.expiresInSeconds * 1000));
    }
    const encoded = encodeSignedParams(all, signRequest(all, o.secretKey));
    const method = o.httpMethod === 'auto' ? (/^(list|query|get)/.test(command) ? 'GET' : 'POST') : o.httpMethod;
    const url = method === 'GET' ? `${o.apiUrl}?${encoded}` : o.apiUrl;
    const timeout = AbortSignal.timeout(o.requestTimeoutMs);
    const started = performance.now();
    this.#requests += 1;
    let outcome: CloudStackOutcome = 'error';
    try {
      o.logger?.debug({ command, method, url: redactQuery(url) }, 'cloudstack request');
      const response = await o
        .fetch(url, {
          method,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
          ...(method === 'POST' ? { body: encoded } : {}),
        })
        .then(async (res) => ({
          status: res.status,
          body: await res.text(),
          description: res.headers.get('x-description'),
        }));
      const inner = parseAnswer(command, response.status, response.body, response.description);
      outcome = 'success';
      return inner;
    } catch (e) {
      const err = classify(command, e, timeout, o.requestTimeoutMs, signal, endpointOf(o.apiUrl));
      outcome = outcomeOf(err);
      throw err;
    } finally {
      o.metrics.observe(command, outcome, (performance.now() - started) / 1000);
    }
  }
}

function outcomeOf(e: unknown): CloudStackOutcome {
  if (e instanceof CloudStackAuthError) return 'auth_error';
  if (e instanceof CloudStackHttpError && e.status === 429) return 'rate_limited';
  if (e instanceof CloudStackTimeoutError) return 'timeout';
  if (e instanceof CloudStackNetworkError) return 'network_error';
  return 'error';
}

/** `host:port` of the API URL (the port CloudStack's scheme implies when none is given). */
function endpointOf(apiUrl: string): string | null {
  try {
    const u = new URL(apiUrl);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return null;
  }
}

function classify(
  command: string,
  e: unknown,
  timeout: AbortSignal,
  timeoutMs: number,
  caller: AbortSignal | undefined,
  endpoint: string | null,
): unknown {
  if (e instanceof CloudStackError) return e;
  // The caller's own abort (pass timeout, shutdown) is passed through untouched: it is not a CloudStack failure.
  if (caller?.aborted) return caller.reason;
  if (timeout.aborted) return new CloudStackTimeoutError(command, 'request', timeoutMs);
  const code = errnoOf(e);
  return new CloudStackNetworkError(command, code, e, endpoint);
}

function errnoOf(e: unknown): string | null {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

function parseAnswer(
  command: string,
  status: number,
  body: string,
  description: string | null,
): Readonly<Record<string, unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    if (status === 200) {
      throw new CloudStackProtocolError(command, `${command}: answer is not JSON: ${body.slice(0, 120)}`);
    }
    throw new CloudStackHttpError(
      command,
      status,
      null,
      null,
      description ?? (body.replace(/\s+/g, ' ').trim().slice(0, 200) || `HTTP ${status}`),
    );
  }
  const envelope = asObject(json);
  const key = `${command.toLowerCase()}response`;
  const inner = asObject(envelope?.[key]) ?? asObject(envelope?.errorresponse);
  if (!inner) {
    if (status !== 200) throw new CloudStackHttpError(command, status, null, null, description ?? `HTTP ${status}`);
    throw new CloudStackProtocolError(command, `${command}: answer has no "${key}": ${body.slice(0, 120)}`);
  }
  const errorcode = typeof inner.errorcode === 'number' ? inner.errorcode : null;
  if (status === 200 && errorcode === null) return inner;
  const httpStatus = status === 200 ? (errorcode ?? 530) : status;
  const errortext = typeof inner.errortext === 'string' ? inner.errortext : (description ?? `HTTP ${httpStatus}`);
  const cserrorcode = typeof inner.cserrorcode === 'number' ? inner.cserrorcode : null;
  if (httpStatus === 401) return throwAuth(command, errorcode, errortext);
  throw new CloudStackHttpError(
    command,
    httpStatus,
    errorcode,
    cserrorcode,
    errortext,
    httpStatus === 429 ? parseRetryAfterMs(errortext) : null,
  );
}

function throwAuth(command: string, errorcode: number | null, errortext: string): never {
  throw new CloudStackAuthError(command, 401, errorcode, null, errortext);
}
