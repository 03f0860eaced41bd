/**
 * Reads every page of a `list*` command and checks that every page reports the same `count` and
 * that the pages add up to it (else the whole listing is read again, a bounded number of times).
 * A failed or inconsistent listing comes back as `complete: false` with the reason, never as a
 * shorter list that could be mistaken for reality.
 */
import { coerceError } from '../errors.js';
import { CloudStackIncompleteListError, CloudStackProtocolError } from './errors.js';
import type { RequestParams } from './sign-request.js';
import type { ListResult } from './types.js';

/** Sends one page request (already retried by the caller's policy). */
export type PageFetcher = (params: RequestParams) => Promise<Readonly<Record<string, unknown>>>;

export interface ListAllOptions<T> {
  readonly command: string;
  /** Item key of the envelope: `volume`, `snapshot`, `virtualmachine`, `tag`… */
  readonly itemKey: string;
  readonly params: RequestParams;
  readonly decode: (raw: unknown) => T;
  /** Identity used to de-duplicate items that shift between pages while resources change. */
  readonly idOf: (item: T) => string;
  /** Items per page, 1..500. */
  readonly pageSize: number;
  /** Whole-listing attempts when pages are inconsistent (items moved while paging). Default 3. */
  readonly attempts?: number;
}

/** Lists every page; see {@link ListResult} for the meaning of `complete`. */
export async function listAll<T>(fetchPage: PageFetcher, options: ListAllOptions<T>): Promise<ListResult<T>> {
  const attempts = Math.max(1, options.attempts ?? 3);
  let result: Attempt<T> = await listOnce(fetchPage, options);
  for (let i = 1; i < attempts && !result.listing.complete && result.retryable; i++) {
    result = await listOnce(fetchPage, options);
  }
  return result.listing;
}

interface Attempt<T> {
  readonly listing: ListResult<T>;
  /** Only an inconsistency is worth a second pass; a failed page was already retried. */
  readonly retryable: boolean;
}

async function listOnce<T>(fetchPage: PageFetcher, o: ListAllOptions<T>): Promise<Attempt<T>> {
  const byId = new Map<string, T>();
  let count: number | null = null;
  const incomplete = (cause: Error, retryable: boolean): Attempt<T> => ({
    listing: { items: [...byId.values()], complete: false, count, error: cause.message, cause },
    retryable,
  });
  for (let page = 1, lastPage = 1; page <= lastPage; page++) {
    let body: Readonly<Record<string, unknown>>;
    try {
      body = await fetchPage({ ...o.params, page: String(page), pagesize: String(o.pageSize) });
    } catch (e) {
      return incomplete(coerceError(e), false);
    }
    const rawCount = body.count;
    const rawItems = body[o.itemKey];
    if (rawItems === undefined) {
      // `{}` = genuinely empty (count 0); `{count: N}` = a page past the end.
      if (rawCount === undefined && page === 1) count = 0;
      else if (typeof rawCount === 'number') count = rawCount;
      break;
    }
    if (!Array.isArray(rawItems) || typeof rawCount !== 'number') {
      const why = Array.isArray(rawItems) ? 'page has items but no count' : `"${o.itemKey}" is not an array`;
      return incomplete(new CloudStackProtocolError(o.command, `${o.command}: page ${page}: ${why}`), false);
    }
    // Consistent from first page to last: a count that moved means objects were created or deleted
    // while paging, and an item may have shifted onto a page already read (issue 15, 6.1).
    if (count !== null && rawCount !== count) {
      return incomplete(
        new CloudStackIncompleteListError(
          o.command,
          count,
          byId.size,
          `count changed from ${count} to ${rawCount} at page ${page}; the listing moved while it was read`,
        ),
        true,
      );
    }
    count = rawCount;
    lastPage = Math.max(1, Math.ceil(rawCount / o.pageSize));
    try {
      for (const raw of rawItems) {
        const item = o.decode(raw);
        byId.set(o.idOf(item), item);
      }
    } catch (e) {
      return incomplete(coerceError(e), false);
    }
  }
  const total = count ?? 0;
  if (byId.size !== total) {
    const reason =
      byId.size < total
        ? 'pages returned fewer distinct items than count'
        : 'pages returned more distinct items than count';
    return incomplete(new CloudStackIncompleteListError(o.command, total, byId.size, reason), true);
  }
  return { listing: { items: [...byId.values()], complete: true, count: total }, retryable: false };
}
