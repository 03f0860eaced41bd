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

/**
 * Key under which {@link annotationsOf} reports an `annotations` value it could not read (not JSON,
 * or not an object). The paused gate treats such a row as paused and says why: an operator's intent
 * that cannot be read is never taken as "no intent".
 */
export const UNREADABLE_ANNOTATIONS = 'oma-reconciler/unreadable-annotations';

/** Flag keys of the contract: `true` / `"true"` (any case) mean true, `false` / `"false"` false. */
const FLAG_KEYS: ReadonlySet<string> = new Set(['oma-reconciler/keep-volumes', 'oma-reconciler/paused']);

/** A flag value as the world carries it: "true", "false", or the raw JSON of anything else (refused downstream). */
function flagValue(value: unknown): string {
  if (value === true || (typeof value === 'string' && value.toLowerCase() === 'true')) return 'true';
  if (value === false || (typeof value === 'string' && value.toLowerCase() === 'false')) return 'false';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * An `annotations` column as the world carries it: a flat object of string values. Parsed here,
 * per row, so one bad row is one reported row (the driver hands JSON columns over as text). Flag
 * keys are normalised to "true"/"false"; any other non-string value is kept as its JSON text, so a
 * known key with a wrong value is refused with a reason downstream — never silently dropped.
 */
export function annotationsOf(value: unknown): Annotations {
  if (value === null || value === undefined) return NO_ANNOTATIONS;
  const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : null;
  let parsed: unknown = value;
  if (text !== null) {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (e) {
      return { [UNREADABLE_ANNOTATIONS]: `not valid JSON (${(e as Error).message}): ${text.slice(0, 80)}` };
    }
  }
  if (parsed === null) return NO_ANNOTATIONS;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { [UNREADABLE_ANNOTATIONS]: `not a JSON object: ${JSON.stringify(parsed).slice(0, 80)}` };
  }
  const entries = Object.entries(parsed as Record<string, unknown>).map(([k, v]): [string, string] => [
    k,
    FLAG_KEYS.has(k) ? flagValue(v) : typeof v === 'string' ? v : JSON.stringify(v),
  ]);
  return entries.length === 0 ? NO_ANNOTATIONS : Object.fromEntries(entries);
}
