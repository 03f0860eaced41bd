import { UsageError } from '../errors.js';
import { DRIFT_KINDS, type DriftKind } from '../world/drift-kinds.js';

/** Parses `--only KIND,...`; unknown kinds are a usage error naming the allowed ones. */
export function parseKinds(value: unknown): readonly DriftKind[] | undefined {
  if (typeof value !== 'string') return undefined;
  const kinds = value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const bad = kinds.filter((k) => !(DRIFT_KINDS as readonly string[]).includes(k));
  if (bad.length > 0) {
    throw new UsageError(
      `--only: unknown drift kind ${bad.map((b) => JSON.stringify(b)).join(', ')}; allowed: ${DRIFT_KINDS.join(', ')}`,
    );
  }
  return kinds as DriftKind[];
}

/** Parses `--grace-seconds N` (a whole number ≥ 0). */
export function parseGraceSeconds(value: unknown): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--grace-seconds: ${JSON.stringify(value)} is not a whole number of seconds ≥ 0`);
  }
  return n;
}
