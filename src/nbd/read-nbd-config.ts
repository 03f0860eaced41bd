/**
 * Reads nbd-server's configuration the way the server does (`parse_cfile` + `do_cfile_dir`):
 * the base config (first group must be `[generic]`), then every regular file in `includedir`
 * whose name ends in exactly `.conf` — dotfiles included, symlinks, directories, `.conf.tmp`,
 * `.CONF` excluded — in raw directory order. A file the server could not load is reported as a
 * parse error and contributes no exports, as the server would refuse it as a whole.
 */
import { readFileSync } from 'node:fs';
import { opendir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseKeyFile, type KeyFileGroup } from './key-file.js';
import { checkExportGroup, checkGenericGroup, type NbdGroupValues } from './nbd-config-keys.js';
import { NbdConfigValueError } from './nbd-errors.js';
import { forEachTimeSliced } from '../time-slices.js';

/** One export section as configured. */
export interface NbdConfigExport {
  readonly name: string;
  /** Absolute path of the file that defines it. */
  readonly file: string;
  /** Decoded `exportname` (always present: a section without it is a parse error). */
  readonly exportname: string;
  readonly authfile: string | null;
  readonly values: NbdGroupValues;
}

/** Everything read from the base config and conf.d in one pass. */
export interface NbdConfigSnapshot {
  readonly baseConfig: string;
  readonly confDir: string;
  /** Decoded `includedir` of the base config, null when absent or unreadable. */
  readonly includedir: string | null;
  /** Exports in the order nbd-server would register them (base first, then conf.d). */
  readonly exports: readonly NbdConfigExport[];
  /** conf.d files nbd-server would read (absolute paths, readdir order). */
  readonly confFiles: readonly string[];
  /** Text of every file read, keyed by absolute path (for diffs and backups). */
  readonly texts: ReadonlyMap<string, string>;
  readonly parseErrors: readonly { readonly file: string; readonly error: string }[];
  /** Set when the base config or conf.d could not be read at all: the view is then incomplete. */
  readonly readError: string | null;
}

/** Where to read. */
export interface ReadNbdConfigOptions {
  readonly baseConfig: string;
  readonly confDir: string;
  /** Where the reconciler keeps copies of the conf.d files it changed or removed (named in the fix of a config without exports). */
  readonly backupDir?: string;
}

function parseFile(
  file: string,
  text: string,
  expectGeneric: boolean,
): { generic: NbdGroupValues | null; exports: NbdConfigExport[] } {
  const { groups } = parseKeyFile(text);
  let generic: NbdGroupValues | null = null;
  let exportGroups: readonly KeyFileGroup[] = groups;
  if (expectGeneric) {
    const [first, ...rest] = groups;
    if (first?.name !== 'generic') {
      throw new NbdConfigValueError('config file does not contain the [generic] group first');
    }
    generic = checkGenericGroup(first);
    exportGroups = rest;
  }
  const exports = exportGroups.map((group) => {
    const values = checkExportGroup(group);
    const authfile = values.get('authfile');
    return {
      name: group.name,
      file,
      exportname: String(values.get('exportname')),
      authfile: typeof authfile === 'string' ? authfile : null,
      values,
    };
  });
  return { generic, exports };
}

/**
 * What the operator must fix when no file defines an export: nbd-server (3.24) then refuses to
 * start ("The config file does not specify any exports", rc 1), and a running one keeps serving its
 * old exports until it restarts. The OMA's base config keeps a `[dummy]` export for exactly this.
 */
function noExportsError(baseConfig: string, confDir: string, confFiles: number, backupDir: string | undefined): string {
  const dir =
    confFiles === 0
      ? `${confDir} holds no *.conf file`
      : `none of the ${confFiles} *.conf file(s) in ${confDir} defines one`;
  const copies =
    backupDir === undefined ? '' : ` (copies of the files the reconciler changed or removed are in ${backupDir})`;
  return (
    `no export is configured: the base config ${baseConfig} defines none and ${dir}, so nbd-server would not start ` +
    `("The config file does not specify any exports"; a running one keeps its old exports until it restarts). ` +
    `Fix: restore the exports' files in ${confDir}${copies}, or add an export to ${baseConfig}, ` +
    `such as the OMA's placeholder [dummy] with exportname = /dev/null and readonly = true`
  );
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Directory entries fetched per read while listing conf.d (the default of 32 means ~4,000 reads for 130,000 files). */
const LIST_BATCH = 1024;

/** Lists conf.d entries nbd-server would parse, in raw readdir order. */
export async function listConfFiles(confDir: string): Promise<string[]> {
  const files: string[] = [];
  const dir = await opendir(confDir, { bufferSize: LIST_BATCH });
  for await (const entry of dir) {
    if (!entry.name.endsWith('.conf')) continue;
    const path = join(confDir, entry.name);
    const known = entry.isFile() || entry.isDirectory() || entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket();
    // Like the server: only DT_REG counts; an unknown type falls back to stat(), which follows links.
    if (entry.isFile() || (!known && (await stat(path)).isFile())) files.push(path);
  }
  return files;
}

/**
 * Reads the base config and conf.d. Never throws for file problems: unreadable inputs end up in
 * `readError`/`parseErrors` so the caller can mark the source incomplete instead of empty.
 */
export async function readNbdConfig(options: ReadNbdConfigOptions): Promise<NbdConfigSnapshot> {
  const baseConfig = resolve(options.baseConfig);
  const confDir = resolve(options.confDir);
  const texts = new Map<string, string>();
  const parseErrors: { file: string; error: string }[] = [];
  const exports: NbdConfigExport[] = [];
  let includedir: string | null = null;
  let readError: string | null = null;

  try {
    const text = await readFile(baseConfig, 'utf8');
    texts.set(baseConfig, text);
    try {
      const parsed = parseFile(baseConfig, text, true);
      const dir = parsed.generic?.get('includedir');
      includedir = typeof dir === 'string' ? dir : null;
      exports.push(...parsed.exports);
      if (includedir === null) {
        parseErrors.push({ file: baseConfig, error: `no includedir: nbd-server would not read ${confDir}` });
      } else if (resolve(includedir) !== confDir) {
        parseErrors.push({
          file: baseConfig,
          error: `includedir ${includedir} is not the configured conf.d ${confDir}`,
        });
      }
    } catch (e) {
      parseErrors.push({ file: baseConfig, error: describe(e) });
    }
  } catch (e) {
    readError = `cannot read base config ${baseConfig}: ${describe(e)}`;
  }

  let confFiles: string[] = [];
  try {
    confFiles = await listConfFiles(confDir);
  } catch (e) {
    readError ??= `cannot read conf.d ${confDir}: ${describe(e)}`;
  }
  // Small local files, read synchronously in time slices (see time-slices.ts for the figures).
  await forEachTimeSliced(confFiles, (file) => {
    try {
      const text = readFileSync(file, 'utf8');
      texts.set(file, text);
      exports.push(...parseFile(file, text, false).exports);
    } catch (e) {
      parseErrors.push({ file, error: describe(e) });
    }
  });
  if (readError === null && parseErrors.length === 0 && exports.length === 0) {
    parseErrors.push({
      file: baseConfig,
      error: noExportsError(baseConfig, confDir, confFiles.length, options.backupDir),
    });
  }
  return { baseConfig, confDir, includedir, exports, confFiles, texts, parseErrors, readError };
}
