/**
 * What the CloudStack client retries, as one table (rule 5 of the style guide). Each rule names the
 * failure, the verdict and why. `decideRetry` takes the first matching rule.
 */
import {
  CloudStackAuthError,
  CloudStackHttpError,
  CloudStackJobFailedError,
  CloudStackNetworkError,
  CloudStackProtocolError,
  CloudStackTimeoutError,
} from './errors.js';

/** `retry`: always; `idempotent`: only for commands that cannot apply twice; `never`: give up at once. */
export type RetryVerdict = 'retry' | 'idempotent' | 'never';

export interface RetryRule {
  /** Bounded identifier, usable as a log field. */
  readonly id: string;
  readonly matches: (error: Error) => boolean;
  readonly verdict: RetryVerdict;
  readonly why: string;
}

const httpStatus =
  (...codes: number[]) =>
  (e: Error) =>
    e instanceof CloudStackHttpError && codes.includes(e.status);
const jobCode =
  (...codes: number[]) =>
  (e: Error) =>
    e instanceof CloudStackJobFailedError && codes.includes(e.errorcode);
/** Errno codes meaning the request never left this host, so even a mutation cannot have happened. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The retry table, first match wins. */
export const RETRY_TABLE: readonly RetryRule[] = [
  {
    id: 'auth',
    matches: (e) => e instanceof CloudStackAuthError,
    verdict: 'never',
    why: '401: signature, key or clock; repeating cannot fix it',
  },
  {
    id: 'rate-limited',
    matches: httpStatus(429),
    verdict: 'retry',
    why: '429: rejected before execution; wait the time the server states',
  },
  {
    id: 'bad-parameter',
    matches: httpStatus(405, 411, 430, 431, 432),
    verdict: 'never',
    why: 'the request itself is refused; same request, same answer',
  },
  {
    id: 'account',
    matches: httpStatus(531, 532, 533, 535, 537),
    verdict: 'never',
    why: 'permission, limits or capacity; needs an operator',
  },
  {
    id: 'server-error',
    matches: (e) => e instanceof CloudStackHttpError && e.status >= 500 && e.errorcode !== null,
    verdict: 'retry',
    why: "530/534/536 in CloudStack's own envelope: refused before execution, no job was queued",
  },
  {
    id: 'proxy-error',
    matches: (e) => e instanceof CloudStackHttpError && e.status >= 500,
    verdict: 'idempotent',
    why: "a 5xx without CloudStack's envelope (a proxy's 502/504) may come after CloudStack executed the request; a mutation is looked for, never blindly re-sent",
  },
  { id: 'client-error', matches: (e) => e instanceof CloudStackHttpError, verdict: 'never', why: 'other 4xx: refused' },
  {
    id: 'job-transient',
    matches: jobCode(530, 534),
    verdict: 'retry',
    why: 'job failed on an internal/unavailable resource error; bounded resubmission',
  },
  {
    id: 'job-business-rule',
    matches: (e) => e instanceof CloudStackJobFailedError,
    verdict: 'never',
    why: 'job refused by a business rule (431…); the next pass re-plans',
  },
  {
    id: 'job-timeout',
    matches: (e) => e instanceof CloudStackTimeoutError && e.phase === 'job',
    verdict: 'never',
    why: 'the job may still finish; resubmitting could apply twice',
  },
  {
    id: 'not-sent',
    matches: (e) => e instanceof CloudStackNetworkError && e.code !== null && NOT_SENT.has(e.code),
    verdict: 'retry',
    why: 'connection never established; nothing reached the server',
  },
  {
    id: 'network',
    matches: (e) => e instanceof CloudStackNetworkError,
    verdict: 'idempotent',
    why: 'the request may have been executed',
  },
  {
    id: 'request-timeout',
    matches: (e) => e instanceof CloudStackTimeoutError,
    verdict: 'idempotent',
    why: 'the request may have been executed',
  },
  {
    id: 'protocol',
    matches: (e) => e instanceof CloudStackProtocolError,
    verdict: 'idempotent',
    why: 'garbled answer; safe to ask again only when reading',
  },
];

export interface RetryDecision {
  readonly retry: boolean;
  /** Id of the rule that decided, or `unknown`. */
  readonly rule: string;
  /** Lower bound for the next delay (the wait stated by a 429), ms. */
  readonly minDelayMs: number;
}

/** Read-only commands: repeating them cannot change anything. */
export function isIdempotentCommand(command: string): boolean {
  return /^(list|query|get)/.test(command);
}

/** Decides whether `error` from `command` is retried. Unknown errors are never retried. */
export function decideRetry(error: Error, command: string): RetryDecision {
  const rule = RETRY_TABLE.find((r) => r.matches(error));
  if (!rule) return { retry: false, rule: 'unknown', minDelayMs: 0 };
  const retry = rule.verdict === 'retry' || (rule.verdict === 'idempotent' && isIdempotentCommand(command));
  const minDelayMs = error instanceof CloudStackHttpError ? (error.retryAfterMs ?? 0) : 0;
  return { retry, rule: rule.id, minDelayMs };
}

/** Backoff settings of the client. Defaults: 3 retries, 500 ms doubling up to 10 s. */
export interface RetryOptions {
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = Object.freeze({
  retries: 3,
  minDelayMs: 500,
  maxDelayMs: 10_000,
  factor: 2,
});

/**
 * Delay before retry number `retryIndex` (0-based): exponential, capped, with ±50 % jitter so a
 * fleet of callers does not retry in lockstep, and never below the server's stated wait.
 */
export function retryDelayMs(
  retryIndex: number,
  options: RetryOptions,
  minDelayMs = 0,
  random: () => number = Math.random,
): number {
  const base = Math.min(options.maxDelayMs, options.minDelayMs * options.factor ** retryIndex);
  const jittered = base * (0.5 + random());
  return Math.round(Math.max(minDelayMs, jittered));
}

/** Extracts N from CloudStack's 429 text "…please retry after [N] ms." */
export function parseRetryAfterMs(errortext: string): number | null {
  const m = /retry after \[?(\d+)\]?\s*ms/i.exec(errortext);
  return m ? Number(m[1]) : null;
}
