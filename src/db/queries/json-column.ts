import type { Annotations } from '../../world/world.js';

/**
 * The value of a JSON column (`longtext … CHECK (json_valid(col))`). MariaDB flags such columns as
 * JSON and mysql2 then hands them over parsed; a server or column without that flag gives text.
 * Both arrive here: text is parsed (invalid text → null), anything else is returned as is.
 * (A JSON string literal that mysql2 already unwrapped is indistinguishable from text and is parsed again.)
 */
export function parseJsonColumn(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : null;
  if (text === null) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Shared by every row without annotations (most rows): one frozen object instead of one each. */
const NO_ANNOTATIONS: Annotations = Object.freeze({});

/** An `annotations` column as the world carries it: a flat object of string values (others dropped). */
export function annotationsOf(value: unknown): Annotations {
  const parsed = parseJsonColumn(value);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return NO_ANNOTATIONS;
  const entries = Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length === 0 ? NO_ANNOTATIONS : Object.fromEntries(entries);
}
