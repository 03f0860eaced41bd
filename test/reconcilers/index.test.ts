import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { diffAll, needsByKind, reconcilers } from '../../reconcilers/index.js';
import { driftId, parseDriftId } from '../../src/reconcile/drift-id.js';
import { DRIFT_KINDS } from '../../src/world/drift-kinds.js';
import { NOW, testPolicy, WorldBuilder } from '../fixtures-world/world-builder.js';
import { sampleWorld } from '../fixtures-world/sample-world.js';

const dir = fileURLToPath(new URL('../../reconcilers/', import.meta.url));

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('the reconciler registry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lists one reconciler per drift kind, in contract order', () => {
    expect(reconcilers.map((r) => r.kind)).toEqual([...DRIFT_KINDS]);
  });

  it('has one module per kind named after it, each with a header and an @example', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''));
    expect(files.sort()).toEqual([...DRIFT_KINDS].sort());
    for (const kind of DRIFT_KINDS) {
      const text = readFileSync(`${dir}${kind}.ts`, 'utf8');
      expect(text.startsWith(`/**\n * ${kind} — `), kind).toBe(true);
      expect(text, kind).toContain('@example');
    }
  });

  it('reports no drift for a healthy appliance', () => {
    const world = new WorldBuilder()
      .healthyContext('web', { disks: 3 })
      .healthyContext('db', { status: 'replicating' })
      .build();
    expect(diffAll(world, testPolicy(), NOW)).toEqual([]);
  });

  it('finds drift of every kind in the sample world, with ids of the form kind:subject-type:subject-id', () => {
    const items = diffAll(sampleWorld().build(), testPolicy(), NOW);
    expect(new Set(items.map((d) => d.kind))).toEqual(new Set(DRIFT_KINDS));
    for (const d of items) {
      expect(parseDriftId(d.id)).toEqual({ kind: d.kind, subjectType: d.subject.type, subjectId: d.subject.id });
    }
    expect(new Set(items.map((d) => d.id)).size).toBe(items.length);
  });

  it('is deterministic, never mutates the world and ignores the wall clock', () => {
    const world = deepFreeze(sampleWorld().build());
    const first = diffAll(world, testPolicy(), NOW);
    vi.useFakeTimers({ now: new Date('2031-01-01T00:00:00Z') });
    expect(diffAll(world, testPolicy(), NOW)).toEqual(first);
  });

  it('keeps drift ids stable and parseable even when a subject id contains colons', () => {
    expect(driftId('orphan-row', 'row', 'nbd_exports/1:2')).toBe('orphan-row:row:nbd_exports/1:2');
    expect(parseDriftId('orphan-row:row:nbd_exports/1:2')).toEqual({
      kind: 'orphan-row',
      subjectType: 'row',
      subjectId: 'nbd_exports/1:2',
    });
    expect(parseDriftId('no-such-kind:volume:v')).toBeNull();
    expect(parseDriftId('orphan-volume:disk:v')).toBeNull();
    expect(parseDriftId('orphan-volume:volume:')).toBeNull();
  });

  it('runs only the kinds asked for', () => {
    const items = diffAll(sampleWorld().build(), testPolicy(), NOW, ['orphan-volume', 'cleanup-request']);
    expect(new Set(items.map((d) => d.kind))).toEqual(new Set(['orphan-volume', 'cleanup-request']));
  });

  it('exposes each kind’s needed sources for the incomplete-source gate', () => {
    expect(needsByKind()['live-export-mismatch']).toEqual(['database', 'nbd']);
    expect(needsByKind()['orphan-volume']).toEqual(['database', 'cloudstack']);
  });
});
