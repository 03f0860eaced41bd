/**
 * CloudStack request signing, exactly as the management server recomputes it
 * (`ApiServer.verifyRequest`, see shared docs cloudstack-api.md §1.2).
 */
import { createHmac } from 'node:crypto';

/** Request parameters as sent: names exactly as they go on the wire, raw (unencoded) values. */
export type RequestParams = Readonly<Record<string, string>>;

/** Unpaired UTF-16 surrogates; Java's `getBytes(UTF-8)` turns each into `?`. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;

/**
 * Percent-encodes a value like Java `URLEncoder.encode(v, "UTF-8")` followed by `+` → `%20`:
 * only `A-Z a-z 0-9 . - _ *` stay literal; `~ ! ' ( )` are encoded, unlike `encodeURIComponent`.
 */
export function javaUrlEncode(value: string): string {
  return encodeURIComponent(value.replace(LONE_SURROGATE, '?')).replace(
    /[!'()~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The string the server feeds to HMAC-SHA1: every parameter except `signature` (any case), names
 * sorted in plain code-unit order AS SENT (before lowercasing), `name=encode(value)` joined by `&`,
 * then the whole string lowercased. Names are not encoded (`tags[0].key` stays literal).
 */
export function canonicalQuery(params: RequestParams): string {
  return Object.keys(params)
    .filter((name) => name.toLowerCase() !== 'signature')
    .sort()
    .map((name) => `${name}=${javaUrlEncode(params[name] ?? '')}`)
    .join('&')
    .toLowerCase();
}

/** Standard Base64 (with padding) of HMAC-SHA1(secretKey, canonical query). Not yet URL-encoded. */
export function signRequest(params: RequestParams, secretKey: string): string {
  return createHmac('sha1', Buffer.from(secretKey, 'utf8')).update(canonicalQuery(params), 'utf8').digest('base64');
}

/**
 * Serialises signed parameters for a query string or form body: names and values percent-encoded
 * (the server decodes both before verifying), the signature appended last.
 */
export function encodeSignedParams(params: RequestParams, signature: string): string {
  const pairs = Object.keys(params).map((name) => `${encodeURIComponent(name)}=${javaUrlEncode(params[name] ?? '')}`);
  pairs.push(`signature=${encodeURIComponent(signature)}`);
  return pairs.join('&');
}
