/** Every API command the simulator knows, by exact (case-sensitive) name. */
import type { SimCommand } from '../sim-context.js';
import { CATALOG_COMMANDS } from './catalog-commands.js';
import { SNAPSHOT_COMMANDS } from './snapshot-commands.js';
import { TAG_COMMANDS } from './tag-commands.js';
import { VM_COMMANDS } from './vm-commands.js';
import { VOLUME_COMMANDS } from './volume-commands.js';

/** Builds the command table (a fresh object per simulator). */
export function commandTable(): ReadonlyMap<string, SimCommand> {
  return new Map(
    Object.entries({ ...CATALOG_COMMANDS, ...VOLUME_COMMANDS, ...SNAPSHOT_COMMANDS, ...VM_COMMANDS, ...TAG_COMMANDS }),
  );
}
