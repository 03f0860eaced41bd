/** Construction and ordering of drift items, so every reconciler emits the same shape. */
import { driftId } from '../../src/reconcile/drift-id.js';
import type { DriftItem, Evidence } from '../../src/reconcile/types.js';

/** A drift item without its id (computed) and with an optional note. */
export type DriftInput = Omit<DriftItem, 'id' | 'note'> & { readonly note?: string | null | undefined };

/** Builds a drift item with its stable id `<kind>:<subject type>:<subject id>`. */
export function makeDrift(input: DriftInput): DriftItem {
  const { note, ...rest } = input;
  const item: DriftItem = { id: driftId(input.kind, input.subject.type, input.subject.id), ...rest };
  return note ? { ...item, note } : item;
}

/** Items ordered by id (code-unit order, independent of locale). */
export function sortDrift(items: readonly DriftItem[]): DriftItem[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Shorthand for one evidence line. */
export function fact(source: Evidence['source'], text: string): Evidence {
  return { source, fact: text };
}
