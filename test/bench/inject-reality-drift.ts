import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema-types.js';
import { writeApplianceExportFile, type ApplianceEnv } from '../../src/appliance-world/appliance-env.js';
import { byIdPath } from '../../src/world/by-id.js';
import type { WorldContext } from '../../src/appliance-world/appliance-world.js';
import { sanitizeVmName } from '../../src/appliance-world/sanitize-vm-name.js';
import { uuidFromSeed } from '../../src/appliance-world/uuid-from-seed.js';
import type { ContextPicker } from './context-picker.js';

const volumeAt = (c: WorldContext, unit: number) => {
  const v = c.volumes[unit];
  if (!v) throw new RangeError(`context ${c.contextId} has no volume ${unit}`);
  return v;
};

/**
 * Drift made on the reality side after the build, `count` of each kind: `migration-*` volumes no row
 * references (recorded in the ledger, as volumes the database once held), volumes deleted or detached
 * behind the appliance's back, conf.d files for volumes that do not exist and files removed, and
 * test-failover VMs left behind. Returns the number of objects changed per kind.
 */
export async function injectRealityDrift(
  env: ApplianceEnv,
  db: Kysely<DB>,
  pick: ContextPicker,
  count: number,
  now: Date,
): Promise<Record<string, number>> {
  const { state } = env.sim;
  const orphans = Array.from({ length: count }, (_, i) => ({
    id: uuidFromSeed('oma-bench', 'orphan-volume', i),
    name: `migration-gone${i}-gone${i}-disk-0`,
  }));
  state.seed({
    volumes: orphans.map((o) => ({
      id: o.id,
      name: o.name,
      type: 'DATADISK' as const,
      sizeBytes: 105 * 2 ** 30,
      virtualMachineId: null,
    })),
  });
  for (let i = 0; i < orphans.length; i += 1000) {
    const rows = orphans.slice(i, i + 1000).map((o) => ({
      object_type: 'volume' as const,
      object_id: o.id,
      first_seen_at: now,
      last_seen_at: now,
      reason: 'ossea_volumes.volume_id of a deleted context',
    }));
    await db.insertInto('oma_reconciler_ledger').values(rows).execute();
  }

  const missing = pick.take('failed_over_live', count).map((c) => volumeAt(c, 2).volumeId);
  for (const id of missing) state.removeVolume(id);

  const detached = pick.take('ready_for_failover', count).map((c) => volumeAt(c, 1).volumeId);
  for (const id of detached) state.detachVolume(id);

  // Orphan files: written after nbd-server started, so they are also configured-but-not-served.
  for (let i = 0; i < count; i++) {
    const name = `migration-vol-${uuidFromSeed('oma-bench', 'orphan-export', i)}`;
    await writeApplianceExportFile(
      join(env.dirs.confDir, `${name}.conf`),
      name,
      byIdPath(uuidFromSeed('oma-bench', 'orphan-export', i), env.dirs.byIdDir),
    );
  }
  const removed = pick.take('ready_for_failover', count).map((c) => volumeAt(c, 2).export?.configPath ?? '');
  for (const path of removed) await rm(path);

  const unix = Math.floor(now.getTime() / 1000) - 86_400;
  const leftovers = pick
    .take('completed', count)
    .map((c) => ({ name: sanitizeVmName(`${c.vmName}-test-${unix}`), displayName: `${c.vmName}-test-${unix}` }));
  state.seed({ virtualMachines: leftovers.map((vm) => ({ ...vm, state: 'Stopped', withRootVolume: true })) });

  return {
    'orphan-volume': orphans.length,
    'missing-volume': missing.length,
    'volume-attachment': detached.length,
    'orphan-nbd-export': count,
    'missing-nbd-export': removed.length,
    'leftover-test-vm': leftovers.length,
  };
}
