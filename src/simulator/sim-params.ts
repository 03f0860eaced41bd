/**
 * Parameter access for one simulated request, with the server's rules: names case-insensitive,
 * `name[i].field` maps grouped by index, UUID parameters resolved (unknown → synchronous 431).
 */
import { SimApiError } from './sim-api-error.js';
import type { SimStore } from './sim-store.js';
import type { SimObjectKind } from './sim-types.js';

/** Characters `ApiServer.checkCharacterInkParams` refuses (TAB included; LF and CR allowed). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NON_PRINTABLE = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]/;
const MAP_PARAM = /^([^[\]]+)\[(\d+)\]\.([A-Za-z0-9_]+)$/;

/** The parameters of one request. */
export class SimParams {
  readonly #lower = new Map<string, string>();
  readonly #maps = new Map<string, Map<number, Record<string, string>>>();

  constructor(
    readonly command: string,
    raw: ReadonlyMap<string, string>,
  ) {
    for (const [name, value] of raw) {
      if (name.includes('[')) {
        const m = MAP_PARAM.exec(name);
        if (!m) {
          throw new SimApiError(
            430,
            9999,
            `Unable to decode parameter ${name}; if specifying an object array, please use parameter[index].field=XXX, e.g. userGroupList[0].group=httpGroup`,
          );
        }
        const [, outer = '', index = '0', field = ''] = m;
        let groups = this.#maps.get(outer.toLowerCase());
        if (!groups) this.#maps.set(outer.toLowerCase(), (groups = new Map<number, Record<string, string>>()));
        const entry = groups.get(Number(index)) ?? {};
        // Sub-field names are not lowercased by the server: `Key` is not `key`.
        entry[field] = value;
        groups.set(Number(index), entry);
      } else {
        this.#lower.set(name.toLowerCase(), value);
      }
    }
  }

  /** Throws 431 when any value holds a control character (checked after the signature). */
  static checkPrintable(raw: ReadonlyMap<string, string>): void {
    for (const [name, value] of raw) {
      if (NON_PRINTABLE.test(value)) {
        throw SimApiError.param(
          `Received value ${value} for parameter ${name} is invalid, contains illegal ASCII non-printable characters`,
        );
      }
    }
  }

  get lowerCommand(): string {
    return this.command.toLowerCase();
  }

  /** The value of a (lowercase) parameter name, or undefined. */
  get(name: string): string | undefined {
    return this.#lower.get(name);
  }

  /** A required parameter; missing → 431 "…due to missing parameter NAME". */
  required(name: string): string {
    const v = this.#lower.get(name);
    if (v === undefined) {
      throw SimApiError.param(`Unable to execute API command ${this.lowerCommand} due to missing parameter ${name}`);
    }
    return v;
  }

  /** The 431 text for a value that is not a number or not a known UUID. */
  invalidValue(name: string, value: string): SimApiError {
    return SimApiError.param(
      `Unable to execute API command ${this.lowerCommand} due to invalid value. Invalid parameter ${name} value=${value} due to incorrect long value format, or entity does not exist or due to incorrect parameter annotation for the field in api cmd class.`,
    );
  }

  /** A boolean parameter (`true`/`false`, any case). */
  bool(name: string, fallback: boolean): boolean {
    const v = this.#lower.get(name);
    if (v === undefined) return fallback;
    return v.toLowerCase() === 'true';
  }

  /** An integer parameter, or undefined. */
  int(name: string): number | undefined {
    const v = this.#lower.get(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v.trim())) throw this.invalidValue(name, v);
    return Number(v);
  }

  /** A UUID parameter of `kind`; never-known ids → 431 (removed objects still resolve). */
  uuid(store: SimStore, name: string, kind: SimObjectKind): string | undefined {
    const v = this.#lower.get(name);
    if (v === undefined) return undefined;
    if (store.resolve(kind, v) === 'unknown') throw this.invalidValue(name, v);
    return v;
  }

  /** A required UUID parameter. */
  requiredUuid(store: SimStore, name: string, kind: SimObjectKind): string {
    this.required(name);
    return this.uuid(store, name, kind) ?? '';
  }

  /** A comma-separated list of UUIDs (`ids`). */
  uuidList(store: SimStore, name: string, kind: SimObjectKind): string[] | undefined {
    const v = this.#lower.get(name);
    if (v === undefined) return undefined;
    const ids = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const id of ids) if (store.resolve(kind, id) === 'unknown') throw this.invalidValue(name, id);
    return ids;
  }

  /** A map parameter (`tags[0].key=…`) as entries ordered by index. */
  map(name: string): Record<string, string>[] {
    const groups = this.#maps.get(name);
    if (!groups) return [];
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry);
  }
}
