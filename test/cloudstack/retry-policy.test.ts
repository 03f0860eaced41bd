import { describe, expect, it } from 'vitest';
import {
  CloudStackAuthError,
  CloudStackHttpError,
  CloudStackIncompleteListError,
  CloudStackJobFailedError,
  CloudStackNetworkError,
  CloudStackProtocolError,
  CloudStackTimeoutError,
} from '../../src/cloudstack/errors.js';
import {
  DEFAULT_RETRY_OPTIONS,
  RETRY_TABLE,
  decideRetry,
  parseRetryAfterMs,
  retryDelayMs,
} from '../../src/cloudstack/retry-policy.js';

const http = (status: number, retryAfterMs: number | null = null) =>
  new CloudStackHttpError('x', status, status, 9999, 'text', retryAfterMs);

describe('the retry table', () => {
  it.each([
    ['401 auth', new CloudStackAuthError('listVolumes', 401, 401, null, 'no'), 'listVolumes', false, 'auth'],
    ['429 rate limit', http(429, 250), 'attachVolume', true, 'rate-limited'],
    ['431 bad parameter', http(431), 'listVolumes', false, 'bad-parameter'],
    ['530 internal', http(530), 'deleteVolume', true, 'server-error'],
    ['534 unavailable', http(534), 'attachVolume', true, 'server-error'],
    // Issue 15 (6.4): a proxy's 5xx may follow an executed mutation; only a read is asked again.
    [
      '503 from a proxy to a mutation',
      new CloudStackHttpError('attachVolume', 503, null, null, 'Service Unavailable'),
      'attachVolume',
      false,
      'proxy-error',
    ],
    [
      '504 from a proxy to a read',
      new CloudStackHttpError('listVolumes', 504, null, null, 'Gateway Timeout'),
      'listVolumes',
      true,
      'proxy-error',
    ],
    ['531 permission', http(531), 'deleteVolume', false, 'account'],
    [
      'job 431 business rule',
      new CloudStackJobFailedError('attachVolume', 'j', 431, 'no'),
      'attachVolume',
      false,
      'job-business-rule',
    ],
    [
      'job 530 internal',
      new CloudStackJobFailedError('attachVolume', 'j', 530, 'agent'),
      'attachVolume',
      true,
      'job-transient',
    ],
    [
      'job timeout',
      new CloudStackTimeoutError('createSnapshot', 'job', 1000, 'j'),
      'createSnapshot',
      false,
      'job-timeout',
    ],
    [
      'refused connection of a mutation',
      new CloudStackNetworkError('deleteVolume', 'ECONNREFUSED', new Error('x')),
      'deleteVolume',
      true,
      'not-sent',
    ],
    [
      'reset connection of a mutation',
      new CloudStackNetworkError('deleteVolume', 'ECONNRESET', new Error('x')),
      'deleteVolume',
      false,
      'network',
    ],
    [
      'reset connection of a read',
      new CloudStackNetworkError('listVolumes', 'ECONNRESET', new Error('x')),
      'listVolumes',
      true,
      'network',
    ],
    [
      'request timeout of a mutation',
      new CloudStackTimeoutError('attachVolume', 'request', 1000),
      'attachVolume',
      false,
      'request-timeout',
    ],
    [
      'request timeout of a job poll',
      new CloudStackTimeoutError('queryAsyncJobResult', 'request', 1000),
      'queryAsyncJobResult',
      true,
      'request-timeout',
    ],
    ['garbled answer to a read', new CloudStackProtocolError('listVolumes', 'html'), 'listVolumes', true, 'protocol'],
    [
      'incomplete list',
      new CloudStackIncompleteListError('listVolumes', 3, 2, 'short'),
      'listVolumes',
      false,
      'unknown',
    ],
    ['anything else', new Error('boom'), 'listVolumes', false, 'unknown'],
  ] as const)('%s → retry %s', (_label, error, command, retry, rule) => {
    expect(decideRetry(error, command)).toMatchObject({ retry, rule });
  });

  it('explains every rule', () => {
    for (const rule of RETRY_TABLE) expect(rule.why.length).toBeGreaterThan(10);
  });

  it('never waits less than a 429 asks for', () => {
    expect(decideRetry(http(429, 700), 'listVolumes').minDelayMs).toBe(700);
    expect(retryDelayMs(0, DEFAULT_RETRY_OPTIONS, 700, () => 0)).toBe(700);
  });

  it('jitters the exponential delay between half and one and a half times, capped', () => {
    const o = { retries: 5, minDelayMs: 100, maxDelayMs: 1_000, factor: 2 };
    expect(retryDelayMs(0, o, 0, () => 0)).toBe(50);
    expect(retryDelayMs(0, o, 0, () => 0.999)).toBe(150);
    expect(retryDelayMs(2, o, 0, () => 0.5)).toBe(400);
    expect(retryDelayMs(10, o, 0, () => 0.5)).toBe(1_000);
  });

  it('reads the wait out of the rate-limit text', () => {
    expect(
      parseRetryAfterMs('The given user has reached his/her account api limit, please retry after [218] ms.'),
    ).toBe(218);
    expect(parseRetryAfterMs('something else')).toBeNull();
  });
});
