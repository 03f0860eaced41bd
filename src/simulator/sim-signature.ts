/**
 * Signature verification as the management server does it (`ApiServer.verifyRequest`). Written
 * independently of the client's signer (byte-wise Java URLEncoder rules) so that a bug in one is
 * not silently mirrored by the other.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a request was refused (kept for the simulator's own stats; the caller only sees 401). */
export type SignatureFailure =
  | 'missing-apikey'
  | 'missing-signature'
  | 'unknown-apikey'
  | 'v3-without-expires'
  | 'v3-bad-expires'
  | 'v3-expired'
  | 'bad-signature';

export type Verification =
  { readonly ok: true; readonly apiKey: string } | { readonly ok: false; readonly reason: SignatureFailure };

/** One byte of UTF-8 as Java's URLEncoder writes it; only A-Z a-z 0-9 . - _ * pass literally. */
function encodeByte(b: number): string {
  const literal =
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    b === 0x2e ||
    b === 0x2d ||
    b === 0x5f ||
    b === 0x2a;
  if (literal) return String.fromCharCode(b);
  // URLEncoder writes '+' for a space; the server then replaces '+' with %20.
  if (b === 0x20) return '%20';
  return `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
}

function javaUrlEncoderValue(value: string): string {
  let out = '';
  for (const b of Buffer.from(value, 'utf8')) out += encodeByte(b);
  return out;
}

/** Parses `expires` in the forms current servers accept (ISO offset, `+0000`, `Z`, fractions). */
export function parseExpires(value: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})$/.exec(value);
  if (!m) return null;
  const zone = m[2] === 'Z' ? 'Z' : (m[2] ?? '').replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${m[1] ?? ''}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

function findIgnoringCase(params: ReadonlyMap<string, string>, name: string): string | undefined {
  let found: string | undefined;
  for (const [k, v] of params) if (k.toLowerCase() === name) found = v;
  return found;
}

/**
 * Verifies a request's parameters (names exactly as sent, decoded values, last occurrence of a
 * repeated name). `secretFor` maps an API key to its secret; `now` is the server clock in ms.
 */
export function verifySignature(
  params: ReadonlyMap<string, string>,
  secretFor: (apiKey: string) => string | undefined,
  now: number,
): Verification {
  const apiKey = findIgnoringCase(params, 'apikey');
  const given = findIgnoringCase(params, 'signature');
  if (apiKey === undefined) return { ok: false, reason: 'missing-apikey' };
  if (given === undefined) return { ok: false, reason: 'missing-signature' };
  const secret = secretFor(apiKey);
  if (secret === undefined) return { ok: false, reason: 'unknown-apikey' };
  if (findIgnoringCase(params, 'signatureversion') === '3') {
    const expires = findIgnoringCase(params, 'expires');
    if (expires === undefined) return { ok: false, reason: 'v3-without-expires' };
    const at = parseExpires(expires);
    if (at === null) return { ok: false, reason: 'v3-bad-expires' };
    if (at < now) return { ok: false, reason: 'v3-expired' };
  }
  const names = [...params.keys()].filter((k) => k.toLowerCase() !== 'signature').sort();
  const canonical = names
    .map((k) => `${k}=${javaUrlEncoderValue(params.get(k) ?? '')}`)
    .join('&')
    .toLowerCase();
  const expected = Buffer.from(createHmac('sha1', secret).update(canonical, 'utf8').digest('base64'));
  const actual = Buffer.from(given);
  const ok = expected.length === actual.length && timingSafeEqual(expected, actual);
  return ok ? { ok: true, apiKey } : { ok: false, reason: 'bad-signature' };
}
