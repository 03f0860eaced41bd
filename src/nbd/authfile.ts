/**
 * Per-export authfiles (`authfile = STATE_DIR/nbd-auth/<export>.allow`). nbd-server re-reads the
 * file on every new connection (`authorized_client()`): a file it cannot open allows everyone, a
 * file without entries denies everyone, otherwise one numeric IP or CIDR per line, `#` starts a
 * comment. Rewriting it is how an export is refused at once, with no signal and no restart.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { atomicWriteFile } from './atomic-write.js';

/** What nbd-server will do with new connections to an export, judged from its authfile. */
export type AuthfileState =
  /** No file (or unreadable): nbd-server lets everyone connect. */
  | 'open'
  /** A file with no address entries: nobody may connect. */
  | 'deny'
  /** A file listing addresses: only those may connect. */
  | 'allow';

/** `STATE_DIR/nbd-auth/<export>.allow`. */
export function authfilePath(stateDir: string, exportName: string): string {
  return join(stateDir, 'nbd-auth', `${exportName}.allow`);
}

/** True when `authfile` lives in the reconciler's own authfile directory (the export is ours). */
export function isManagedAuthfile(stateDir: string, authfile: string | null): boolean {
  if (authfile === null) return false;
  const dir = `${join(stateDir, 'nbd-auth')}/`;
  return authfile.startsWith(dir) && !authfile.slice(dir.length).includes('/');
}

/** Entries nbd-server would compare against, parsed exactly as `authorized_client()` does. */
export function parseAuthfile(text: string): string[] {
  const entries: string[] = [];
  for (const line of text.split('\n')) {
    const entry = (line.split('#')[0] ?? '').trimStart().split(/\s/)[0] ?? '';
    if (entry !== '') entries.push(entry);
  }
  return entries;
}

/** Validates an allow-list entry: a numeric IPv4/IPv6 address, optionally with a prefix length. */
export function validateAllowEntry(entry: string): string {
  const [addr = '', prefix, extra] = entry.split('/');
  const family = isIP(addr);
  const max = family === 4 ? 32 : 128;
  const ok =
    family !== 0 &&
    extra === undefined &&
    (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max));
  if (!ok) {
    throw new InvalidInputError(
      `allow-list entry ${JSON.stringify(entry)} is not a numeric IP address or CIDR`,
      'allowClients',
    );
  }
  return entry;
}

/** Renders an authfile: an empty list denies everyone. */
export function renderAuthfile(allow: readonly string[]): string {
  return allow.map((e) => `${validateAllowEntry(e)}\n`).join('');
}

/**
 * Atomically writes an authfile that allows `allow` (empty = deny everyone). The directory is made
 * world-traversable: a deny file nbd-server cannot open would mean "allow everyone".
 */
export async function writeAuthfile(
  path: string,
  allow: readonly string[],
  tempDirs: readonly string[] = [],
): Promise<void> {
  const text = renderAuthfile(allow);
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await atomicWriteFile(path, text, { tempDirs, mode: 0o644 });
}

/** Reads what an authfile means for new connections. */
export async function readAuthfileState(path: string | null): Promise<{ state: AuthfileState; entries: string[] }> {
  if (path === null) return { state: 'open', entries: [] };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    // nbd-server treats a file it cannot fopen() as "allow everyone".
    return { state: 'open', entries: [] };
  }
  const entries = parseAuthfile(text);
  return { state: entries.length === 0 ? 'deny' : 'allow', entries };
}
