import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route handler receives. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Raw (still percent-encoded) values of the pattern's `:name` segments. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Aborted when the client goes away or the server shuts down. */
  readonly signal: AbortSignal;
}

/** One route: a method, a path pattern (`/api/v1/explain/:subject`) and its handler. */
export interface Route {
  readonly method: 'GET' | 'POST';
  readonly pattern: string;
  readonly handle: (ctx: RouteContext) => Promise<void> | void;
}

/** Matches a request path (split on `/`, still encoded) against a pattern; returns the params or null. */
export function matchPattern(pattern: string, segments: readonly string[]): Record<string, string> | null {
  const parts = pattern.split('/').slice(1);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return null;
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}
