/**
 * The subset of glib's GKeyFile syntax that nbd-server reads (see `nbd-server.md` §2.1): comment
 * and blank lines, `[group]` headers, `key = value` lines. Mirrors glib's line classifier so a
 * file we call valid is a file nbd-server can load, and a file we reject is one it would refuse
 * (often silently, with only "No configured exports").
 */
import { KeyFileSyntaxError } from './nbd-errors.js';

/** One group after parsing: duplicate groups are merged and later keys win, as in GKeyFile. */
export interface KeyFileGroup {
  readonly name: string;
  /** Raw values (escapes not yet interpreted), leading whitespace stripped, trailing kept. */
  readonly entries: ReadonlyMap<string, string>;
}

/** A parsed key file: groups in first-appearance order. */
export interface KeyFile {
  readonly groups: readonly KeyFileGroup[];
}

/** glib's g_ascii_isspace on the UTF-16 unit at `i` of `s`: space, \t, \n, \v, \f, \r (false past the end). */
function isAsciiSpaceAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
/** True when `s` holds an ASCII control character (what g_ascii_iscntrl flags). */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function lineIsGroup(line: string): boolean {
  if (!line.startsWith('[')) return false;
  const close = line.indexOf(']', 1);
  if (close < 0) return false;
  // glib silently accepts spaces and tabs after the closing bracket, nothing else.
  return /^[ \t]*$/.test(line.slice(close + 1));
}

function isGroupName(name: string): boolean {
  return name !== '' && !/[[\]]/.test(name) && !hasControlCharacter(name);
}

/**
 * Key names already judged. conf.d repeats the same few keys in every file (tens of thousands of
 * files on a large appliance), so each distinct name is checked once; bounded so a hostile file
 * cannot grow it without limit.
 */
const keyNameVerdicts = new Map<string, boolean>();
const KEY_NAME_VERDICTS_MAX = 1024;

function isKeyName(key: string): boolean {
  const known = keyNameVerdicts.get(key);
  if (known !== undefined) return known;
  const verdict = judgeKeyName(key);
  if (keyNameVerdicts.size < KEY_NAME_VERDICTS_MAX) keyNameVerdicts.set(key, verdict);
  return verdict;
}

function judgeKeyName(key: string): boolean {
  const m = /^([^=[\]]+)(\[[\p{L}\p{N}\-_.@]*\])?$/u.exec(key);
  if (!m?.[1]) return false;
  // glib refuses leading or trailing spaces inside a key: they would not survive a rewrite.
  return !m[1].startsWith(' ') && !m[1].endsWith(' ');
}

/**
 * Parses key-file text the way `g_key_file_load_from_file` does.
 * @throws KeyFileSyntaxError naming the first offending line (1-based), as glib stops there too.
 */
export function parseKeyFile(text: string): KeyFile {
  const nul = text.indexOf('\0');
  // glib's line functions stop at a NUL byte; nothing sane contains one, so refuse the file.
  if (nul >= 0) throw new KeyFileSyntaxError('contains a NUL byte', text.slice(0, nul).split('\n').length);
  const groups = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  let startGroup: string | null = null;
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  const count = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  for (let index = 0; index < count; index++) {
    const lineNo = index + 1;
    let raw = lines[index] ?? '';
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    let start = 0;
    while (isAsciiSpaceAt(raw, start)) start++;
    const line = start === 0 ? raw : raw.slice(start);
    if (line === '' || line.startsWith('#')) continue;
    if (lineIsGroup(line)) {
      const name = line.slice(1, line.lastIndexOf(']'));
      if (!isGroupName(name)) throw new KeyFileSyntaxError(`invalid group name "${name}"`, lineNo);
      let group = groups.get(name);
      if (!group) {
        group = new Map();
        groups.set(name, group);
      }
      startGroup ??= name;
      current = group;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      throw new KeyFileSyntaxError(`line "${line}" is not a key-value pair, group, or comment`, lineNo);
    }
    if (!current) throw new KeyFileSyntaxError('key file does not start with a group', lineNo);
    let keyEnd = eq;
    while (keyEnd > 0 && isAsciiSpaceAt(line, keyEnd - 1)) keyEnd--;
    const key = line.slice(0, keyEnd);
    if (!isKeyName(key)) throw new KeyFileSyntaxError(`invalid key name "${key}"`, lineNo);
    let valueStart = eq + 1;
    while (isAsciiSpaceAt(line, valueStart)) valueStart++;
    const value = line.slice(valueStart);
    if (key === 'Encoding' && current === groups.get(startGroup ?? '') && value.toUpperCase() !== 'UTF-8') {
      throw new KeyFileSyntaxError(`unsupported encoding "${value}"`, lineNo);
    }
    current.set(key, value);
  }
  return { groups: [...groups].map(([name, entries]) => ({ name, entries })) };
}
