/**
 * Renders one export file from validated data only, then re-parses it with our own GKeyFile
 * parser and refuses the result unless it round-trips to exactly the intended name → key → value
 * map (`nbd-server.md` §7: never trust a renderer you have not read back).
 */
import { InvalidInputError } from '../errors.js';
import { validateExportName, validateExportPath, type NbdExportSpec } from './export-spec.js';
import { parseKeyFile } from './key-file.js';
import { decodeKeyFileString } from './key-file-values.js';
import { checkExportGroup } from './nbd-config-keys.js';

/** The file the reconciler writes for one export. */
export interface RenderedExport {
  readonly name: string;
  /** `<name>.conf`, the only file name we use in conf.d. */
  readonly fileName: string;
  readonly text: string;
  /** The keys as written (all plain, escape-free values). */
  readonly keys: ReadonlyMap<string, string>;
}

const HEADER = '# Managed by oma-reconciler. Removal: authfile first, then an idle restart. Do not edit.';

/**
 * Renders `[name]` with the appliance's keys (`exportname`, `readonly`, `multifile`,
 * `copyonwrite`) plus the reconciler's per-export `authfile`.
 * @throws InvalidInputError when any input is unsafe or the output does not round-trip.
 */
export function renderExportFile(spec: NbdExportSpec, authfile: string): RenderedExport {
  const name = validateExportName(spec.name);
  const keys = new Map<string, string>([
    ['exportname', validateExportPath(spec.exportname)],
    ['readonly', spec.readonly === true ? 'true' : 'false'],
    ['multifile', 'false'],
    ['copyonwrite', 'false'],
    ['authfile', validateExportPath(authfile, 'authfile')],
  ]);
  const text = [HEADER, `[${name}]`, ...[...keys].map(([k, v]) => `${k} = ${v}`), ''].join('\n');
  assertRoundTrip(text, name, keys);
  return { name, fileName: `${name}.conf`, text, keys };
}

function assertRoundTrip(text: string, name: string, keys: ReadonlyMap<string, string>): void {
  const fail = (why: string): never => {
    throw new InvalidInputError(`rendered export ${name} does not round-trip: ${why}`, 'name');
  };
  try {
    const parsed = parseKeyFile(text);
    const [group] = parsed.groups;
    if (parsed.groups.length !== 1 || !group) return fail(`expected one section, got ${parsed.groups.length}`);
    if (group.name !== name) return fail(`section name reads back as ${JSON.stringify(group.name)}`);
    if (group.entries.size !== keys.size) return fail(`expected ${keys.size} keys, read ${group.entries.size}`);
    for (const [k, v] of keys) {
      const raw = group.entries.get(k);
      if (raw !== v || decodeKeyFileString(raw) !== v) return fail(`key ${k} reads back as ${JSON.stringify(raw)}`);
    }
    checkExportGroup(group);
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    fail((e as Error).message);
  }
}
