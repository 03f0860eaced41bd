import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-error.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Checks `Authorization: Bearer <token>` against the configured API token. Comparing SHA-256
 * digests (always 32 bytes) with `timingSafeEqual` keeps the comparison constant-time and hides
 * the token's length. Throws 403 when no token is configured (mutations are disabled), 401 when
 * the header is missing or wrong.
 */
export function requireBearerToken(authorization: string | undefined, configured: string | undefined): void {
  if (configured === undefined || configured === '') {
    throw new HttpError(403, 'forbidden', 'mutating API routes are disabled: no API_TOKEN is configured');
  }
  const challenge = { 'www-authenticate': 'Bearer realm="oma-reconciler"' };
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  if (!m?.[1]) {
    throw new HttpError(401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)', challenge);
  }
  if (!timingSafeEqual(digest(m[1]), digest(configured))) {
    throw new HttpError(401, 'unauthorized', 'invalid bearer token', challenge);
  }
}
