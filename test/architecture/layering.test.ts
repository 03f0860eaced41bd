/**
 * Imports point one way: every relative import (type-only and dynamic ones included) under src/ and
 * reconcilers/ must go from a room to a room it lists in test/architecture/layers.ts, which is
 * always a room below it. A failure names each offending file → import.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { KERNEL, ROOMS } from './layers.js';

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), '..', '..'));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** The room a repository-relative path belongs to: the longest matching room, or the kernel. */
function roomOf(path: string): string | null {
  const match = ROOMS.filter((r) => path === r.room || path.startsWith(`${r.room}/`)).sort(
    (a, b) => b.room.length - a.room.length,
  )[0];
  if (match) return match.room;
  return /^src\/[^/]+\.ts$/.test(path) ? KERNEL : null;
}

interface Edge {
  readonly file: string;
  readonly specifier: string;
  readonly from: string | null;
  readonly to: string | null;
}

function edges(): Edge[] {
  return [...sourceFiles('src'), ...sourceFiles('reconcilers')].flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const imported = ts
      .preProcessFile(text, true, true)
      .importedFiles.map((f) => f.fileName)
      .filter((s) => s.startsWith('.'));
    return imported.map((specifier) => {
      const target = normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts');
      return { file, specifier, from: roomOf(file), to: roomOf(relative('.', target)) };
    });
  });
}

const allowed = new Map(ROOMS.map((r) => [r.room, new Set(r.imports)]));
const all = edges();

describe('layering (allowed directions: test/architecture/layers.ts)', () => {
  it('lists each room once, and every room imports only rooms listed below it', () => {
    const order = ROOMS.map((r) => r.room);
    expect(new Set(order).size).toBe(order.length);
    const upward = ROOMS.flatMap((r, i) =>
      r.imports.filter((to) => order.indexOf(to) <= i).map((to) => `${r.room} → ${to}`),
    );
    expect(upward, 'the table itself allows an import up or sideways').toEqual([]);
  });

  it('places every source file in a room', () => {
    expect(all.filter((e) => e.from === null).map((e) => e.file)).toEqual([]);
    expect(all.filter((e) => e.to === null).map((e) => `${e.file} → ${e.specifier}`)).toEqual([]);
  });

  it('the kernel (src/*.ts) imports no room', () => {
    expect(all.filter((e) => e.from === KERNEL && e.to !== KERNEL).map((e) => `${e.file} → ${e.specifier}`)).toEqual(
      [],
    );
  });

  for (const { room, imports } of ROOMS) {
    it(`${room} imports only ${[...imports, KERNEL].join(', ')}`, () => {
      const mayImport = allowed.get(room) ?? new Set<string>();
      const offending = all
        .filter((e) => e.from === room && e.to !== room && e.to !== KERNEL && !mayImport.has(e.to ?? ''))
        .map((e) => `${e.file} → ${e.specifier} (${room} → ${e.to ?? '?'})`);
      expect(offending, `imports that cross the layers:\n${offending.join('\n')}`).toEqual([]);
    });
  }

  it("the README's Layout picture shows every room", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const layout = readme.split(/^## Layout\n/m)[1]?.split(/^## /m)[0] ?? '';
    const shortName = (room: string): string => `${room.replace(/^src\//, '')}/`;
    expect(ROOMS.map((r) => r.room).filter((room) => !layout.includes(shortName(room)))).toEqual([]);
  });
});
