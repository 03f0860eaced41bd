/**
 * Interpretation of raw key-file values as glib does it for nbd-server's typed keys:
 * strings with backslash escapes, booleans (`true`/`false`/`1`/`0` only), and integers.
 * Each parser throws `NbdConfigValueError` with glib's reason, so a value nbd-server would refuse
 * is refused here first.
 */
import { NbdConfigValueError } from './nbd-errors.js';

const ESCAPES: Readonly<Record<string, string>> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };

/** Decodes `\s \n \t \r \\`; any other escape, or a trailing backslash, is an error as in glib. */
export function decodeKeyFileString(raw: string): string {
  // Most values carry no escape. Appending char by char built a chain of ~70 one-character cons
  // strings per path, which V8 kept: 2 KB per export, 56 MB of heap for 25,500 exports.
  if (!raw.includes('\\')) return raw;
  const parts: string[] = [];
  let from = 0;
  for (let i = raw.indexOf('\\'); i >= 0; i = raw.indexOf('\\', from)) {
    parts.push(raw.slice(from, i));
    if (i + 1 >= raw.length) throw new NbdConfigValueError('value ends with an escape character');
    const decoded = ESCAPES[raw.charAt(i + 1)];
    if (decoded === undefined) throw new NbdConfigValueError(`invalid escape sequence "\\${raw.charAt(i + 1)}"`);
    parts.push(decoded);
    from = i + 2;
  }
  parts.push(raw.slice(from));
  return parts.join('');
}

/** glib boolean: exactly `true`, `false`, `1` or `0`, trailing whitespace allowed. */
export function parseKeyFileBoolean(raw: string): boolean {
  const v = raw.replace(/[ \t\n\v\f\r]+$/, '');
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new NbdConfigValueError(`value "${raw}" cannot be interpreted as a boolean (use true or false)`);
}

/** glib integer (strtol, base 10): digits with an optional sign, trailing whitespace allowed. */
export function parseKeyFileInteger(raw: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)[ \t\n\v\f\r]*$/.exec(raw);
  const n = m?.[1] === undefined ? NaN : Number(m[1]);
  if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1 || n < -(2 ** 31)) {
    throw new NbdConfigValueError(`value "${raw}" cannot be interpreted as a number`);
  }
  return n;
}

/** glib int64 (g_ascii_strtoll, base 10): no trailing characters at all; `1M` is refused. */
export function parseKeyFileInt64(raw: string): bigint {
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(raw)) {
    throw new NbdConfigValueError(`value "${raw}" where int64 was expected (plain bytes, no units)`);
  }
  return BigInt(raw.trim());
}
