/**
 * A CloudStack request signer written for the tests from the documented algorithm
 * (shared docs cloudstack-api.md §1.2), deliberately sharing no code with `src/`: WebCrypto HMAC,
 * its own byte-wise form encoder, its own code-unit comparison. It plays "any correct third-party
 * client" against the simulator.
 */
import { webcrypto } from 'node:crypto';

const LITERAL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_*';

/** java.net.URLEncoder (UTF-8) with the server's `+` → `%20` substitution. */
export function formEncode(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && LITERAL.includes(ch)) out += ch;
    else if (byte === 0x20) out += '%20';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Java `String.compareTo`: UTF-16 code unit by code unit, then length. */
function compareCodeUnits(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Base64 HMAC-SHA1 of the canonical string of `params` (pairs, names as sent). */
export async function independentSignature(
  params: readonly (readonly [string, string])[],
  secret: string,
): Promise<string> {
  const canonical = params
    .filter(([name]) => name.toLowerCase() !== 'signature')
    .slice()
    .sort(([a], [b]) => compareCodeUnits(a, b))
    .map(([name, value]) => `${name}=${formEncode(value)}`)
    .join('&')
    .toLowerCase();
  const enc = new TextEncoder();
  const key = await webcrypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, [
    'sign',
  ]);
  return Buffer.from(await webcrypto.subtle.sign('HMAC', key, enc.encode(canonical))).toString('base64');
}

/** The full query string (or form body): encoded pairs plus the percent-encoded signature. */
export async function independentQuery(
  params: readonly (readonly [string, string])[],
  secret: string,
): Promise<string> {
  const signature = await independentSignature(params, secret);
  return [
    ...params.map(([n, v]) => `${encodeURIComponent(n)}=${formEncode(v)}`),
    `signature=${encodeURIComponent(signature)}`,
  ].join('&');
}

/** Sends a signed GET (or POST form) to `url` and returns status, headers and parsed body. */
export async function independentRequest(
  url: string,
  params: readonly (readonly [string, string])[],
  secret: string,
  method: 'GET' | 'POST' = 'GET',
): Promise<{
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, Record<string, unknown>>;
}> {
  const query = await independentQuery(params, secret);
  const res =
    method === 'GET'
      ? await fetch(`${url}?${query}`)
      : await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: query,
        });
  const text = await res.text();
  let json: Record<string, Record<string, unknown>> = {};
  try {
    json = JSON.parse(text) as Record<string, Record<string, unknown>>;
  } catch {
    // XML or HTML answers are inspected through `text`.
  }
  return { status: res.status, headers: res.headers, text, json };
}
