import type { World } from '../world/world.js';

/**
 * Every id whose recorded actions belong to `subject` in `explain`: the subject itself, and when it
 * names a VM (or a context), its contexts, replication and failover jobs and volumes — the actions
 * on a VM's jobs and volumes are recorded under those ids, not under the VM name.
 */
export function relatedSubjects(world: World, subject: string): string[] {
  const db = world.database;
  const contexts = db.contexts.filter((c) => c.vmName === subject || c.contextId === subject).map((c) => c.contextId);
  if (contexts.length === 0) return [subject];
  const inContext = new Set(contexts);
  const ids = new Set<string>([subject, ...contexts]);
  for (const j of db.replicationJobs) if (inContext.has(j.vmContextId)) ids.add(j.id);
  for (const f of db.failoverJobs) if (inContext.has(f.vmContextId)) ids.add(f.jobId);
  for (const v of db.osseaVolumes) {
    if (!inContext.has(v.vmContextId)) continue;
    ids.add(v.volumeId);
    if (v.snapshotId) ids.add(v.snapshotId);
  }
  for (const m of db.deviceMappings) if (m.vmContextId !== null && inContext.has(m.vmContextId)) ids.add(m.volumeUuid);
  return [...ids];
}
