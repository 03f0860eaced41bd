import type { RequestParams } from '../../src/cloudstack/sign-request.js';
import type { RecordedListing } from './io-floor.js';

/** Parameters the transport adds itself; the floor passes the rest back through `client.call`. */
const TRANSPORT_PARAMS = new Set(['command', 'response', 'apikey', 'signature', 'signatureversion', 'expires']);

/** A fetch that records each CloudStack request it carries (command and parameters). */
export interface RecordingFetch {
  readonly fetch: typeof fetch;
  /** Requests since the previous call, grouped into listings (pages in the order they were sent). */
  take(): { readonly requests: number; readonly lookups: number; readonly listings: RecordedListing[] };
}

/** Wraps the global fetch for the CloudStack client the engine builds (`cloudstackTuning.fetch`). */
export function recordingFetch(): RecordingFetch {
  let recorded: { command: string; params: Record<string, string> }[] = [];
  const wrapped: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const form = typeof init?.body === 'string' ? new URLSearchParams(init.body) : url.searchParams;
    const params: Record<string, string> = {};
    for (const [k, v] of form) if (!TRANSPORT_PARAMS.has(k.toLowerCase())) params[k] = v;
    recorded.push({ command: form.get('command') ?? '?', params });
    return fetch(input, init);
  };
  return {
    fetch: wrapped,
    take: () => {
      const byQuery = new Map<string, { command: string; pages: RequestParams[] }>();
      for (const r of recorded) {
        const { page: _p, pagesize: _s, ...rest } = r.params;
        const key = `${r.command}?${new URLSearchParams(rest).toString()}`;
        const listing = byQuery.get(key) ?? { command: r.command, pages: [] };
        listing.pages.push(r.params);
        byQuery.set(key, listing);
      }
      const requests = recorded.length;
      // Lookups by id (`id`, or a batch `ids`): the pass confirms that an object the database expects and the listing lacks
      // is really gone before it believes the listing (issue 15, 6.1).
      const lookups = recorded.filter((r) => r.params.id !== undefined || r.params.ids !== undefined).length;
      recorded = [];
      return { requests, lookups, listings: [...byQuery.values()] };
    },
  };
}
