/**
 * Validation of what a client sends: path parameters, query numbers and JSON bodies. Values are
 * only ever used as data (bound parameters, JSON), but limits and charsets are still enforced so
 * garbage is refused early with a 400 naming the field.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { HttpError } from './http-error.js';

/** Default limit of a request body, bytes. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Decodes one path segment; refuses bad escapes, control characters and over-long values. */
export function pathText(raw: string, field: string, maxLength: number): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'invalid_parameter', `${field}: malformed percent-encoding`);
  }
  if (value.length === 0 || value.length > maxLength) {
    throw new HttpError(400, 'invalid_parameter', `${field}: must be 1 to ${maxLength} characters`);
  }
  if (CONTROL.test(value)) {
    throw new HttpError(400, 'invalid_parameter', `${field}: control characters are not allowed`);
  }
  return value;
}

/** A job id (replication or failover): letters, digits and `._:-`, at most 191 characters. */
export function pathJobId(raw: string): string {
  const value = pathText(raw, 'job_id', 191);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(value)) {
    throw new HttpError(400, 'invalid_parameter', 'job_id: only letters, digits and . _ : - are allowed');
  }
  return value;
}

/** An optional integer query parameter within [min, max]. */
export function queryInt(
  params: URLSearchParams,
  name: string,
  range: { min: number; max: number; fallback: number },
): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return range.fallback;
  if (!/^\d{1,9}$/.test(raw)) {
    throw new HttpError(400, 'invalid_parameter', `${name}: expected an integer from ${range.min} to ${range.max}`);
  }
  const value = Number(raw);
  if (value < range.min || value > range.max) {
    throw new HttpError(
      400,
      'invalid_parameter',
      `${name}: expected an integer from ${range.min} to ${range.max}, got ${value}`,
    );
  }
  return value;
}

// The rest of an oversized body is never read, so the connection cannot be reused.
const CLOSE = { connection: 'close' } as const;

/** Reads at most `limit` bytes of body; an empty body parses as `{}` (the OMA GUI sends none). */
export async function readJsonBody<T extends z.ZodType>(
  req: IncomingMessage,
  schema: T,
  limit = DEFAULT_BODY_LIMIT,
): Promise<z.output<T>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'payload_too_large', `request body exceeds ${limit} bytes`, CLOSE);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'payload_too_large', `request body exceeds ${limit} bytes`, CLOSE);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  let value: unknown = {};
  if (text !== '') {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      throw new HttpError(415, 'unsupported_media_type', 'request body must be application/json');
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'invalid_body', 'request body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ');
    throw new HttpError(400, 'invalid_body', why);
  }
  return parsed.data;
}
