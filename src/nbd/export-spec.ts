/**
 * Validation of what the reconciler may write into an nbd-server export section. The rules are the
 * conservative ones of `nbd-server.md` §7: nbd-server's own parser is lax, silently keeps
 * whitespace, interprets backslashes and treats `#` literally, so anything outside a small safe
 * alphabet is refused here with an `InvalidInputError` before a byte is written.
 */
import { InvalidInputError } from '../errors.js';

/** What the reconciler asks for: one export, one file `<name>.conf`. */
export interface NbdExportSpec {
  /** Section name = NBD export name, e.g. `migration-vol-<volume uuid>`. */
  readonly name: string;
  /** Absolute path of the device or file (normally the by-id link). */
  readonly exportname: string;
  /** Default false, as the appliance writes it. */
  readonly readonly?: boolean;
}

/** Export names we write: ASCII letter or digit first, then `. _ + : @ -`, 128 characters at most. */
export const EXPORT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+:@-]{0,127}$/;

/** Path characters we write: no whitespace, `\`, `#`, `%`, quotes, brackets or non-ASCII. */
const PATH_PATTERN = /^\/[A-Za-z0-9._+:@/,-]*$/;
const PATH_MAX = 4095;

/** Quotes hostile input for an error message without letting it flood or break the line. */
function shown(value: string): string {
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}…" (${value.length} characters)` : json;
}

/** Returns the name when it is safe to write as a section header and file name; throws otherwise. */
export function validateExportName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string') throw new InvalidInputError(`export ${field} must be a string`, field);
  if (name.toLowerCase() === 'generic') {
    throw new InvalidInputError('export name "generic" is reserved by nbd-server for its [generic] section', field);
  }
  if (!EXPORT_NAME_PATTERN.test(name)) {
    throw new InvalidInputError(
      `export name ${shown(name)} is refused: it must be 1-128 ASCII characters, start with a letter or digit ` +
        'and contain only letters, digits and . _ + : @ -',
      field,
    );
  }
  return name;
}

/** Returns the path when it is absolute, normalised and escape-free; throws otherwise. */
export function validateExportPath(path: unknown, field = 'exportname'): string {
  if (typeof path !== 'string') throw new InvalidInputError(`${field} must be a string`, field);
  if (!path.startsWith('/')) {
    throw new InvalidInputError(`${field} ${shown(path)} is refused: it must be an absolute path`, field);
  }
  if (path.length > PATH_MAX) throw new InvalidInputError(`${field} is longer than ${PATH_MAX} characters`, field);
  if (!PATH_PATTERN.test(path)) {
    throw new InvalidInputError(
      `${field} ${shown(path)} is refused: only ASCII letters, digits and / . _ + : @ , - are allowed ` +
        '(nbd-server keeps whitespace, interprets backslashes and reads # literally)',
      field,
    );
  }
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new InvalidInputError(`${field} ${shown(path)} is refused: it must be normalised (no //, . or ..)`, field);
  }
  return path;
}

/** Validates a whole spec (unknown input from an actuator, the API or a test). */
export function validateExportSpec(spec: unknown): NbdExportSpec {
  if (typeof spec !== 'object' || spec === null) throw new InvalidInputError('export spec must be an object');
  const s = spec as Record<string, unknown>;
  const name = validateExportName(s.name);
  const exportname = validateExportPath(s.exportname);
  if (s.readonly !== undefined && typeof s.readonly !== 'boolean') {
    throw new InvalidInputError('readonly must be true or false', 'readonly');
  }
  return s.readonly === undefined ? { name, exportname } : { name, exportname, readonly: s.readonly };
}
