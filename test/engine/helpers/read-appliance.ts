/**
 * Reads the whole appliance as it is now, independently of the engine's own observation: rows
 * straight from MariaDB, objects straight from the simulator's store, conf.d through the config
 * reader, the served exports through the reference `nbd-client -l`, and the by-id links from disk.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readNbdConfig } from '../../../src/nbd/read-nbd-config.js';
import type { Harness } from './appliance-harness.js';

async function readLinks(dir: string): Promise<Map<string, boolean>> {
  const links = new Map<string, boolean>();
  for (const name of await readdir(dir)) {
    const resolves = await stat(join(dir, name)).then(
      () => true,
      () => false,
    );
    links.set(join(dir, name), resolves);
  }
  return links;
}

async function readRows(h: Harness) {
  const db = h.db.db;
  const [
    contexts,
    replicationJobs,
    osseaVolumes,
    vmDisks,
    deviceMappings,
    nbdExports,
    failoverJobs,
    vmExportMappings,
    volumeOperations,
  ] = await Promise.all([
    db.selectFrom('vm_replication_contexts').selectAll().orderBy('context_id').execute(),
    db.selectFrom('replication_jobs').selectAll().orderBy('id').execute(),
    db.selectFrom('ossea_volumes').selectAll().orderBy('id').execute(),
    db.selectFrom('vm_disks').selectAll().orderBy('id').execute(),
    db.selectFrom('device_mappings').selectAll().orderBy('volume_uuid').execute(),
    db.selectFrom('nbd_exports').selectAll().orderBy('export_name').execute(),
    db.selectFrom('failover_jobs').selectAll().orderBy('id').execute(),
    db.selectFrom('vm_export_mappings').selectAll().orderBy('id').execute(),
    db.selectFrom('volume_operations').selectAll().orderBy('id').execute(),
  ]);
  return {
    contexts,
    replicationJobs,
    osseaVolumes,
    vmDisks,
    deviceMappings,
    nbdExports,
    failoverJobs,
    vmExportMappings,
    volumeOperations,
  };
}

function readSimulator(h: Harness) {
  const s = h.env.sim.state;
  const tagsOf = (type: 'Volume' | 'Snapshot' | 'UserVm', id: string): Record<string, string> =>
    Object.fromEntries(s.tagsOf(type, id).map((t) => [t.key, t.value]));
  return {
    volumes: [...s.volumes.values()]
      .map((v) => ({
        id: v.id,
        name: v.name,
        type: v.type,
        state: v.state,
        vmId: v.vmId,
        deviceId: v.deviceId,
        tags: tagsOf('Volume', v.id),
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    snapshots: [...s.snapshots.values()]
      .map((x) => ({ id: x.id, name: x.name, volumeId: x.volumeId, state: x.state }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    vms: [...s.vms.values()]
      .map((vm) => ({ id: vm.id, name: vm.name, state: vm.state }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/** Everything the invariant checker and the "nothing changed" assertions look at. */
export async function readAppliance(h: Harness) {
  const nbdConfig = await readNbdConfig({ baseConfig: h.env.dirs.baseConfig, confDir: h.env.dirs.confDir });
  const live = h.env.nbd ? await h.env.nbd.nbdClientList() : null;
  return {
    omaVmId: h.omaVmId,
    nbdPort: h.env.nbdPort,
    byIdDir: h.env.dirs.byIdDir,
    confDir: h.env.dirs.confDir,
    db: await readRows(h),
    sim: readSimulator(h),
    nbd: {
      configured: nbdConfig.exports.map((e) => ({ name: e.name, file: e.file, exportname: e.exportname })),
      texts: Object.fromEntries([...nbdConfig.texts].filter(([file]) => file.startsWith(h.env.dirs.confDir))),
      parseErrors: nbdConfig.parseErrors,
      readError: nbdConfig.readError,
      /** Names served in memory (`nbd-client -l`), or null without a server. */
      live,
    },
    links: await readLinks(h.env.dirs.byIdDir),
  };
}

/** A snapshot of the appliance. */
export type ApplianceSnapshot = Awaited<ReturnType<typeof readAppliance>>;

/**
 * The parts of the appliance a destructive action could change, as comparable plain data: the
 * simulator, conf.d texts, the served names and the appliance's own rows (not the reconciler's).
 */
export async function fingerprint(h: Harness): Promise<unknown> {
  const s = await readAppliance(h);
  return {
    sim: s.sim,
    conf: s.nbd.texts,
    live: s.nbd.live === null ? null : [...s.nbd.live].sort(),
    rows: JSON.parse(JSON.stringify(s.db)) as unknown,
  };
}
