/**
 * Stable drift ids: `<kind>:<subject type>:<subject id>`. The same problem keeps the same id from one
 * pass to the next, which is what the grace gate (first-seen time), the drift table and `explain`
 * key on. Subject ids may themselves contain `:`; only the first two separators are structural.
 */
import { DRIFT_KINDS, type DriftKind } from '../world/drift-kinds.js';
import { SUBJECT_TYPES, type SubjectType } from './types.js';

/** Builds the stable id of a drift item. */
export function driftId(kind: DriftKind, subjectType: SubjectType, subjectId: string): string {
  return `${kind}:${subjectType}:${subjectId}`;
}

/** The parts of a drift id, or null when the text is not one. */
export function parseDriftId(
  id: string,
): { readonly kind: DriftKind; readonly subjectType: SubjectType; readonly subjectId: string } | null {
  const first = id.indexOf(':');
  const second = first < 0 ? -1 : id.indexOf(':', first + 1);
  if (first < 0 || second < 0) return null;
  const kind = DRIFT_KINDS.find((k) => k === id.slice(0, first));
  const subjectType = SUBJECT_TYPES.find((t) => t === id.slice(first + 1, second));
  const subjectId = id.slice(second + 1);
  if (!kind || !subjectType || subjectId === '') return null;
  return { kind, subjectType, subjectId };
}
