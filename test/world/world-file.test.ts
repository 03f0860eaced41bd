/**
 * Saved worlds (`plan --world FILE`): the format is versioned; a world this release saved replays as
 * it was, one saved before the Volume Daemon was a source is read (as "not in use"), and a file of
 * another format version or no world at all is refused with a sentence that says which.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { loadWorld, saveWorld, WORLD_FORMAT_VERSION } from '../../src/world/world-file.js';
import type { World } from '../../src/world/world.js';
import { sampleWorld } from '../fixtures-world/sample-world.js';

describe('saved world files', () => {
  let dir: string;
  let world: World;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'world-file-'));
    world = sampleWorld().build();
  });

  it('reads back exactly the world it saved, stamped with the format version', async () => {
    const path = await saveWorld(dir, world);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: WORLD_FORMAT_VERSION });
    expect(await loadWorld(path)).toEqual(world);
  });

  it('reads a world saved before the Volume Daemon was a source, as a complete source not in use', async () => {
    const { 'volume-daemon': _gone, ...sources } = world.sources;
    const { volumeDaemon: _none, ...older } = world;
    const path = join(dir, 'older.json');
    await writeFile(path, JSON.stringify({ ...older, sources }));
    const loaded = await loadWorld(path);
    expect(loaded.sources['volume-daemon']).toEqual({ complete: true, inventory: 0 });
    expect(loaded.volumeDaemon).toBeUndefined();
  });

  it('refuses a world of another format version, naming both versions', async () => {
    const path = join(dir, 'newer.json');
    await writeFile(path, JSON.stringify({ ...world, version: 2 }));
    const refused = loadWorld(path);
    await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refused).rejects.toThrow(
      `--world: "${path}" is a world of format version 2; this oma-reconciler reads version 1 only`,
    );
  });

  it('refuses a file that is no world at all, and one that is not JSON', async () => {
    const notWorld = join(dir, 'plan.json');
    await writeFile(notWorld, JSON.stringify({ summary: { drift: 0 } }));
    await expect(loadWorld(notWorld)).rejects.toThrow(`"${notWorld}" is not a saved oma-reconciler world (version 1)`);
    const notJson = join(dir, 'broken.json');
    await writeFile(notJson, '{"version": 1,');
    await expect(loadWorld(notJson)).rejects.toThrow(`--world: cannot read a world from "${notJson}"`);
  });
});
