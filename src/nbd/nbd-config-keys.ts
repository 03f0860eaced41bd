/**
 * The keys nbd-server 3.24–3.27 reads (the `gp[]`/`lp[]` tables of `parse_cfile()`), with their
 * glib types, and the checks it performs on each group. Unknown keys are ignored, as by the server.
 */
import type { KeyFileGroup } from './key-file.js';
import { decodeKeyFileString, parseKeyFileBoolean, parseKeyFileInt64, parseKeyFileInteger } from './key-file-values.js';
import { NbdConfigValueError } from './nbd-errors.js';

type KeyType = 'string' | 'bool' | 'int' | 'int64';

const GENERIC_KEYS: Readonly<Record<string, KeyType>> = {
  user: 'string',
  group: 'string',
  oldstyle: 'bool',
  listenaddr: 'string',
  port: 'string',
  includedir: 'string',
  allowlist: 'bool',
  unixsock: 'string',
  duallisten: 'bool',
  max_threads: 'int',
  force_tls: 'bool',
  certfile: 'string',
  keyfile: 'string',
  cacertfile: 'string',
  tlsprio: 'string',
};

const EXPORT_KEYS: Readonly<Record<string, KeyType>> = {
  exportname: 'string',
  authfile: 'string',
  filesize: 'int64',
  virtstyle: 'string',
  prerun: 'string',
  postrun: 'string',
  transactionlog: 'string',
  cowdir: 'string',
  readonly: 'bool',
  multifile: 'bool',
  treefiles: 'bool',
  copyonwrite: 'bool',
  waitfile: 'bool',
  sparse_cow: 'bool',
  sdp: 'bool',
  sync: 'bool',
  flush: 'bool',
  fua: 'bool',
  rotational: 'bool',
  temporary: 'bool',
  trim: 'bool',
  datalog: 'bool',
  listenaddr: 'string',
  maxconnections: 'int',
  force_tls: 'bool',
  splice: 'bool',
};

/** The typed values of a group: strings decoded, booleans and integers parsed. */
export type NbdGroupValues = ReadonlyMap<string, string | boolean | number | bigint>;

const GENERIC_KEY_LIST = Object.entries(GENERIC_KEYS);
const EXPORT_KEY_LIST = Object.entries(EXPORT_KEYS);

/** Typed values of the keys of `table` (listed once at load: this runs for every export of conf.d). */
function readTyped(
  group: KeyFileGroup,
  table: readonly (readonly [string, KeyType])[],
): Map<string, string | boolean | number | bigint> {
  const out = new Map<string, string | boolean | number | bigint>();
  for (const [key, type] of table) {
    const raw = group.entries.get(key);
    if (raw === undefined) continue;
    try {
      if (type === 'string') out.set(key, decodeKeyFileString(raw));
      else if (type === 'bool') out.set(key, parseKeyFileBoolean(raw));
      else if (type === 'int') out.set(key, parseKeyFileInteger(raw));
      else out.set(key, parseKeyFileInt64(raw));
    } catch (e) {
      throw new NbdConfigValueError(`could not parse ${key} in group ${group.name}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Checks the `[generic]` group as the server does; returns its typed values. */
export function checkGenericGroup(group: KeyFileGroup): NbdGroupValues {
  const values = readTyped(group, GENERIC_KEY_LIST);
  if (values.get('oldstyle') === true) throw new NbdConfigValueError('oldstyle is no longer supported (since 3.10)');
  return values;
}

const VIRTSTYLE = /^(none|ipliteral|iphash|cidrhash.{2,})/;

/** Checks one export group as the server does (Debian build: no SDP, splice available). */
export function checkExportGroup(group: KeyFileGroup): NbdGroupValues {
  const values = readTyped(group, EXPORT_KEY_LIST);
  if (!values.has('exportname')) {
    throw new NbdConfigValueError(`could not find required value exportname in group ${group.name}`);
  }
  const virtstyle = values.get('virtstyle');
  if (typeof virtstyle === 'string' && !VIRTSTYLE.test(virtstyle)) {
    throw new NbdConfigValueError(`invalid value ${virtstyle} for parameter virtstyle in group ${group.name}`);
  }
  const on = (k: string): boolean => values.get(k) === true;
  if (on('copyonwrite') && on('splice')) {
    throw new NbdConfigValueError(`cannot mix copyonwrite with splice in group ${group.name}`);
  }
  if (on('copyonwrite') && on('waitfile')) {
    throw new NbdConfigValueError(`cannot mix copyonwrite with waitfile in group ${group.name}`);
  }
  if (on('datalog') && on('splice')) {
    throw new NbdConfigValueError(`cannot mix datalog with splice in group ${group.name}`);
  }
  if (on('sdp')) {
    throw new NbdConfigValueError(`group ${group.name} uses sdp, which Debian's nbd-server is built without`);
  }
  return values;
}
