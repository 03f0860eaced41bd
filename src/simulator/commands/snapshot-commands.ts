/** listSnapshots, createSnapshot, deleteSnapshot, revertSnapshot with the §8.2/§8.4 rules. */
import { SimApiError } from '../sim-api-error.js';
import { sync, type SimCommand, type SimContext } from '../sim-context.js';
import { OWNED_LIST_PARAMS, paginate, queryKey, tagFilter, visibleTo } from '../sim-list.js';
import { renderSnapshot } from '../sim-render.js';
import type { SimSnapshot, SimVolume } from '../sim-types.js';
import { jobOn } from './pending.js';

const PKG = 'org.apache.cloudstack.api.command.user.snapshot';

const notFound = (ctx: SimContext, id: string) =>
  SimApiError.invalid(`unable to find a snapshot with id ${ctx.state.internalIdOf(id) ?? id}`);

function listSnapshots(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const id = p.uuid(s, 'id', 'snapshot');
  const ids = p.uuidList(s, 'ids', 'snapshot');
  p.uuid(s, 'volumeid', 'volume');
  p.uuid(s, 'zoneid', 'zone');
  const key = queryKey(ctx, ['id', 'ids', 'volumeid', 'name', 'snapshottype', ...OWNED_LIST_PARAMS]);
  const items = ctx.cache.get(key, s.version, () => {
    const visible = visibleTo(ctx);
    const tags = tagFilter(ctx);
    const [volumeId, zoneId] = [p.get('volumeid'), p.get('zoneid')];
    const name = p.get('name')?.toLowerCase();
    const keyword = p.get('keyword')?.toLowerCase();
    const type = p.get('snapshottype')?.toUpperCase();
    const idSet = ids ? new Set(ids) : null;
    const source =
      id !== undefined ? [s.snapshots.get(id)].filter((x): x is SimSnapshot => x !== undefined) : s.snapshots.values();
    const out: SimSnapshot[] = [];
    for (const snap of source) {
      // Destroyed snapshots are hidden from listSnapshots.
      if (snap.state === 'Destroyed' || !visible(snap.account, null)) continue;
      if (idSet && !idSet.has(snap.id)) continue;
      if (volumeId !== undefined && snap.volumeId !== volumeId) continue;
      if (name !== undefined && !snap.name.toLowerCase().includes(name)) continue;
      if (keyword !== undefined && !snap.name.toLowerCase().includes(keyword)) continue;
      if (type !== undefined && type !== 'MANUAL') continue;
      if (zoneId !== undefined && snap.zoneId !== zoneId) continue;
      if (tags && !tags(s.tagsOf('Snapshot', snap.id))) continue;
      out.push(snap);
    }
    // Newest first, as the server orders them.
    return out.sort((a, b) => b.created - a.created || b.internalId - a.internalId);
  });
  return sync(paginate(ctx, items, 'snapshot', (x) => renderSnapshot(s, x)));
}

function createSnapshot(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const volumeId = p.requiredUuid(s, 'volumeid', 'volume');
  const found = s.volumes.get(volumeId);
  if (!found) throw SimApiError.invalid(`Unable to find volume with ID: ${s.internalIdOf(volumeId) ?? volumeId}`);
  const volume: SimVolume = found;
  const name = p.get('name');
  const created = s.addSnapshot({ volumeId, state: 'Allocated', ...(name !== undefined ? { name } : {}) });
  const snapshot = s.snapshots.get(created.id) as SimSnapshot;
  // The rule is checked inside the job, but the volume is busy from the moment the job starts.
  const ready = volume.state === 'Ready';
  if (ready) {
    volume.state = 'Snapshotting';
    snapshot.state = 'Creating';
    s.touch();
  }
  const run = () => {
    const v = s.volumes.get(volumeId);
    if (!ready || !v) {
      snapshot.state = 'Error';
      s.touch();
      throw SimApiError.invalid('Volume is not in ready state');
    }
    if (v.state === 'Snapshotting') v.state = 'Ready';
    if (ctx.config.snapshotBackupDelayMs > 0) {
      snapshot.state = 'BackingUp';
      ctx.jobs.later(ctx.config.snapshotBackupDelayMs, () => {
        if (snapshot.state === 'BackingUp') {
          snapshot.state = 'BackedUp';
          s.touch();
        }
      });
    } else {
      snapshot.state = 'BackedUp';
    }
    s.touch();
    return { snapshot: renderSnapshot(s, snapshot) };
  };
  return jobOn('Snapshot', snapshot.id, snapshot, run, snapshot.id);
}

function deleteSnapshot(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const id = p.requiredUuid(s, 'id', 'snapshot');
  const run = () => {
    const snapshot = s.snapshots.get(id);
    if (!snapshot) throw notFound(ctx, id);
    if (snapshot.state === 'Destroyed') {
      throw SimApiError.invalid(`Snapshot with id: ${snapshot.internalId} is already destroyed`);
    }
    // An Allocated snapshot has nothing on storage and is removed directly.
    if (snapshot.state === 'Allocated') s.dropSnapshot(snapshot);
    else {
      snapshot.state = 'Destroyed';
      s.touch();
    }
    return { success: true };
  };
  return jobOn('Snapshot', id, s.snapshots.get(id), run);
}

function revertSnapshot(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const id = p.requiredUuid(s, 'id', 'snapshot');
  const run = () => {
    const snapshot = s.snapshots.get(id);
    if (!snapshot || snapshot.state === 'Destroyed') throw notFound(ctx, id);
    if (snapshot.state !== 'BackedUp') {
      throw SimApiError.invalid('Snapshot is not in BackedUp state, it cannot be reverted');
    }
    const volume = s.volumes.get(snapshot.volumeId);
    if (!volume) {
      throw SimApiError.invalid(
        `Unable to find volume with ID: ${s.internalIdOf(snapshot.volumeId) ?? snapshot.volumeId}`,
      );
    }
    if (volume.state !== 'Ready') throw SimApiError.invalid('The volume is not in Ready state.');
    const vm = volume.vmId === null ? undefined : s.vms.get(volume.vmId);
    if (vm && vm.state !== 'Stopped' && vm.state !== 'Shutdown') {
      throw SimApiError.invalid('The VM the specified disk is attached to is not in the shutdown state.');
    }
    if (vm && vm.vmSnapshots > 0) {
      throw SimApiError.invalid('Unable to revert snapshot, please specify a VM that does not have VM snapshots');
    }
    volume.sizeBytes = snapshot.virtualSizeBytes;
    s.touch();
    return { snapshot: renderSnapshot(s, snapshot) };
  };
  return jobOn('Snapshot', id, s.snapshots.get(id), run);
}

/** The snapshot commands. */
export const SNAPSHOT_COMMANDS: Readonly<Record<string, SimCommand>> = {
  listSnapshots: { handle: listSnapshots },
  createSnapshot: { cmdClass: `${PKG}.CreateSnapshotCmd`, handle: createSnapshot },
  deleteSnapshot: { cmdClass: `${PKG}.DeleteSnapshotCmd`, handle: deleteSnapshot },
  revertSnapshot: { cmdClass: `${PKG}.RevertSnapshotCmd`, handle: revertSnapshot },
};
