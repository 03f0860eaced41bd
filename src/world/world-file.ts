import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import type { World } from './world.js';

/** The format version of saved worlds this release writes and reads (`World.version`). */
export const WORLD_FORMAT_VERSION = 1;

/** Saved worlds kept under `STATE_DIR/worlds/` (oldest removed first). */
const KEEP_WORLDS = 20;

/**
 * Saves a world snapshot as JSON under `STATE_DIR/worlds/world-<observedAt>.json` (written to a
 * temp name, then renamed, so a reader never sees half a file) and returns its path.
 */
export async function saveWorld(stateDir: string, world: World): Promise<string> {
  const dir = join(stateDir, 'worlds');
  await mkdir(dir, { recursive: true });
  const name = `world-${world.observedAt.replace(/[:.]/g, '-')}.json`;
  const path = join(dir, name);
  await writeFile(`${path}.tmp`, JSON.stringify(world));
  await rename(`${path}.tmp`, path);
  const saved = (await readdir(dir)).filter((f) => /^world-.*\.json$/.test(f)).sort();
  await Promise.all(saved.slice(0, Math.max(0, saved.length - KEEP_WORLDS)).map((f) => unlink(join(dir, f))));
  return path;
}

/** Loads a saved world for offline replay (`plan --world FILE`); refuses files that are not one. */
export async function loadWorld(path: string): Promise<World> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new InvalidInputError(`--world: cannot read a world from "${path}": ${(e as Error).message}`, 'world');
  }
  const w = parsed as Partial<World> | null;
  const version = typeof w === 'object' && w !== null ? (w as { version?: unknown }).version : undefined;
  if (typeof version === 'number' && version !== WORLD_FORMAT_VERSION && typeof w?.observedAt === 'string') {
    throw new InvalidInputError(
      `--world: "${path}" is a world of format version ${version}; this oma-reconciler reads version ${WORLD_FORMAT_VERSION} only (replay it with the release that saved it)`,
      'world',
    );
  }
  if (
    typeof w !== 'object' ||
    w === null ||
    w.version !== WORLD_FORMAT_VERSION ||
    typeof w.observedAt !== 'string' ||
    typeof w.sources !== 'object' ||
    typeof w.database !== 'object' ||
    typeof w.cloudstack !== 'object' ||
    typeof w.nbd !== 'object' ||
    typeof w.devices !== 'object'
  ) {
    throw new InvalidInputError(`--world: "${path}" is not a saved oma-reconciler world (version 1)`, 'world');
  }
  // Worlds saved before the Volume Daemon was a source knew nothing of it: replay them as direct.
  const world = parsed as World;
  if ((world.sources as Partial<World['sources']>)['volume-daemon'] === undefined) {
    return { ...world, sources: { ...world.sources, 'volume-daemon': { complete: true, inventory: 0 } } };
  }
  return world;
}
