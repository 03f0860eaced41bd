/** Reads a simulator state file (a JSON {@link SimSeed}). */
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../errors.js';
import type { SimSeed } from './sim-state.js';

const LISTS = ['virtualMachines', 'volumes', 'snapshots', 'tags'] as const;

/** Parses the file and checks its top-level shape; object fields are checked while seeding. */
export async function loadSeedFile(path: string): Promise<SimSeed> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new InvalidInputError(`--state ${path}: ${(e as Error).message}`, 'state');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidInputError(`--state ${path}: not a JSON object`, 'state');
  }
  const seed = parsed as Record<string, unknown>;
  for (const key of Object.keys(seed)) {
    if (!LISTS.some((l) => l === key)) {
      throw new InvalidInputError(`--state ${path}: unknown key "${key}" (allowed: ${LISTS.join(', ')})`, 'state');
    }
    if (!Array.isArray(seed[key])) throw new InvalidInputError(`--state ${path}: "${key}" must be an array`, 'state');
  }
  return seed;
}
