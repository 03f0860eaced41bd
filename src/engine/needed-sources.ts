/**
 * Which sources a plan depends on: those the evaluated drift kinds need. A plan is *complete* only
 * when every one of them was read completely; otherwise its "no drift" may just mean "could not
 * tell", and `plan`/`apply` say so with exit code 2.
 */
import { needsByKind } from '../../reconcilers/index.js';
import { DRIFT_KINDS, SOURCES, type DriftKind, type SourceName } from '../world/drift-kinds.js';
import type { World } from '../world/world.js';

/** The sources the given kinds (all kinds when `only` is absent) need, in `SOURCES` order. */
export function neededSources(only?: readonly DriftKind[]): SourceName[] {
  const needs = needsByKind();
  const kinds = only ?? DRIFT_KINDS;
  const used = new Set(kinds.flatMap((k) => needs[k]));
  return SOURCES.filter((s) => used.has(s));
}

/** The needed sources this world read incompletely (empty = the plan is complete). */
export function incompleteNeededSources(world: Pick<World, 'sources'>, only?: readonly DriftKind[]): SourceName[] {
  return neededSources(only).filter((s) => !world.sources[s].complete);
}
