/** listVolumes, createVolume, attachVolume, detachVolume, deleteVolume with the §8.4 rules. */
import { SimApiError } from '../sim-api-error.js';
import { sync, type SimCommand, type SimContext } from '../sim-context.js';
import { OWNED_LIST_PARAMS, paginate, queryKey, tagFilter, visibleTo } from '../sim-list.js';
import { renderVolume } from '../sim-render.js';
import type { SimVm, SimVolume } from '../sim-types.js';
import { jobOn } from './pending.js';

const GiB = 1024 ** 3;
const PKG = 'org.apache.cloudstack.api.command.user.volume';

const notFound = (ctx: SimContext, id: string) =>
  SimApiError.invalid(`Unable to find volume with ID: ${ctx.state.internalIdOf(id) ?? id}`);

function listVolumes(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const id = p.uuid(s, 'id', 'volume');
  const ids = p.uuidList(s, 'ids', 'volume');
  const vmId = p.uuid(s, 'virtualmachineid', 'vm');
  p.uuid(s, 'zoneid', 'zone');
  const key = queryKey(ctx, ['id', 'ids', 'name', 'virtualmachineid', 'type', 'state', ...OWNED_LIST_PARAMS]);
  const items = ctx.cache.get(key, s.version, () => {
    const visible = visibleTo(ctx);
    const tags = tagFilter(ctx);
    const [name, type, state, zoneId] = [p.get('name'), p.get('type')?.toUpperCase(), p.get('state'), p.get('zoneid')];
    const keyword = p.get('keyword')?.toLowerCase();
    const idSet = ids ? new Set(ids) : null;
    const source: Iterable<SimVolume> =
      id !== undefined
        ? [s.volumes.get(id)].filter((v): v is SimVolume => v !== undefined)
        : vmId !== undefined
          ? [...(s.devices.get(vmId)?.values() ?? [])]
              .map((v) => s.volumes.get(v))
              .filter((v): v is SimVolume => v !== undefined)
          : s.volumes.values();
    const out: SimVolume[] = [];
    for (const v of source) {
      if (!visible(v.account, v.projectId)) continue;
      if (idSet && !idSet.has(v.id)) continue;
      if (name !== undefined && v.name !== name) continue;
      if (type !== undefined && v.type !== type) continue;
      if (state !== undefined && v.state.toLowerCase() !== state.toLowerCase()) continue;
      if (zoneId !== undefined && v.zoneId !== zoneId) continue;
      if (keyword !== undefined && !v.name.toLowerCase().includes(keyword)) continue;
      if (tags && !tags(s.tagsOf('Volume', v.id))) continue;
      out.push(v);
    }
    return out;
  });
  return sync(paginate(ctx, items, 'volume', (v) => renderVolume(s, v)));
}

function createVolume(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const offeringId = p.uuid(s, 'diskofferingid', 'diskoffering');
  const snapshotId = p.uuid(s, 'snapshotid', 'snapshot');
  if (offeringId === undefined && snapshotId === undefined) {
    throw SimApiError.invalid('Either disk Offering Id or snapshot Id must be passed whilst creating volume');
  }
  if (snapshotId === undefined) p.requiredUuid(s, 'zoneid', 'zone');
  const snapshot = snapshotId === undefined ? undefined : s.snapshots.get(snapshotId);
  const offering = offeringId === undefined ? undefined : s.diskOfferings.get(offeringId);
  const sizeGiB = p.int('size');
  if (offering?.customized && sizeGiB === undefined) {
    throw SimApiError.invalid('This disk offering requires a custom size specified');
  }
  const sizeBytes = snapshot?.virtualSizeBytes ?? (sizeGiB ?? offering?.diskSizeGiB ?? 1) * GiB;
  const volume = s.addVolume({
    name: p.get('name') ?? `vol-${Date.now().toString(36)}`,
    state: 'Allocated',
    sizeBytes,
    account: ctx.caller.name,
  });
  const v = s.volumes.get(volume.id) as SimVolume;
  return jobOn('Volume', v.id, v, () => ({ volume: renderVolume(s, v) }), v.id);
}

function pickDeviceId(ctx: SimContext, volume: SimVolume, vm: SimVm, requested: number | undefined): number {
  const max = ctx.config.maxDataDisks + 1;
  if (requested === undefined) return volume.type === 'ROOT' ? 0 : ctx.state.lowestFreeDeviceId(vm.id);
  if (requested === 0) {
    if (volume.type !== 'ROOT' || vm.state !== 'Stopped') {
      throw SimApiError.invalid('Device 0 is reserved for the ROOT volume of a stopped VM');
    }
  } else if (requested < 0 || requested > max || requested === 3) {
    throw SimApiError.invalid(`deviceId should be 1,2,4-${max}`);
  }
  if (ctx.state.devices.get(vm.id)?.has(requested)) {
    throw SimApiError.invalid(`deviceId ${requested} is used by vm ${vm.internalId}`);
  }
  return requested;
}

function attachVolume(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const id = p.requiredUuid(s, 'id', 'volume');
  const vmId = p.requiredUuid(s, 'virtualmachineid', 'vm');
  const deviceId = p.int('deviceid');
  const run = () => {
    const volume = s.volumes.get(id);
    if (!volume) throw notFound(ctx, id);
    const vm = s.vms.get(vmId);
    if (!vm) throw SimApiError.invalid('Please specify a valid User VM.');
    if (volume.vmId !== null) throw SimApiError.invalid('Please specify a volume that is not attached to any VM.');
    if (volume.state === 'Destroy') throw SimApiError.invalid('Please specify a volume that is not destroyed.');
    if (vm.state !== 'Running' && vm.state !== 'Stopped') {
      throw SimApiError.invalid('Please specify a VM that is either running or stopped.');
    }
    if (volume.zoneId !== vm.zoneId) {
      throw SimApiError.invalid('Please specify a VM that is in the same zone as the volume.');
    }
    if (volume.type === 'DATADISK') {
      const dataDisks = [...(s.devices.get(vm.id)?.values() ?? [])].filter(
        (v) => s.volumes.get(v)?.type === 'DATADISK',
      ).length;
      if (dataDisks >= ctx.config.maxDataDisks) {
        throw SimApiError.invalid(
          `The specified VM already has the maximum number of data disks (${ctx.config.maxDataDisks}) attached. Please specify another VM.`,
        );
      }
    }
    if (vm.vmSnapshots > 0) {
      throw SimApiError.invalid('Unable to attach volume, please specify a VM that does not have VM snapshots');
    }
    if (!['Allocated', 'Ready', 'Uploaded'].includes(volume.state)) {
      throw SimApiError.invalid('Volume state must be in Allocated, Ready or in Uploaded state');
    }
    const device = pickDeviceId(ctx, volume, vm, deviceId);
    // An Allocated volume gets its disk on first attach.
    if (volume.state === 'Allocated') volume.state = 'Ready';
    s.link(volume, vm.id, device);
    return { volume: renderVolume(s, volume) };
  };
  return jobOn('Volume', id, s.volumes.get(id), run);
}

function detachVolume(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const id = p.uuid(s, 'id', 'volume');
  const vmId = p.uuid(s, 'virtualmachineid', 'vm');
  const deviceId = p.int('deviceid');
  const run = () => {
    const byId = id !== undefined && vmId === undefined && deviceId === undefined;
    const byTuple = id === undefined && vmId !== undefined && deviceId !== undefined;
    if (!byId && !byTuple) {
      throw SimApiError.invalid('Please provide either a volume id, or a tuple(device id, instance id)');
    }
    const volumeId = byId ? id : s.devices.get(vmId ?? '')?.get(deviceId ?? -1);
    const volume = volumeId === undefined ? undefined : s.volumes.get(volumeId);
    if (!volume) throw byId ? notFound(ctx, id) : SimApiError.invalid('The specified volume is not attached to a VM.');
    if (volume.vmId === null) throw SimApiError.invalid('The specified volume is not attached to a VM.');
    const vm = s.vms.get(volume.vmId);
    if (vm && !['Running', 'Stopped', 'Destroyed'].includes(vm.state)) {
      throw SimApiError.invalid('Please specify a VM that is either running or stopped.');
    }
    if (vm && volume.type === 'ROOT' && vm.state !== 'Stopped') {
      throw SimApiError.invalid('Root volume detach can happen only when VM is in Stopped state');
    }
    if (vm && vm.vmSnapshots > 0) {
      throw SimApiError.invalid('Unable to detach volume, please specify a VM that does not have VM snapshots');
    }
    s.unlink(volume);
    return { volume: renderVolume(s, volume) };
  };
  return jobOn('Volume', id ?? null, id === undefined ? undefined : s.volumes.get(id), run);
}

function deleteVolume(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const id = p.requiredUuid(s, 'id', 'volume');
  const volume = s.volumes.get(id);
  if (!volume) throw notFound(ctx, id);
  if (volume.vmId !== null) throw SimApiError.invalid('Please specify a volume that is not attached to any VM.');
  if (volume.state === 'Snapshotting') {
    throw SimApiError.invalid('There are snapshot operations in progress on the volume, unable to delete it');
  }
  if (!['Ready', 'Allocated', 'Destroy', 'Uploaded', 'UploadError', 'UploadAbandoned'].includes(volume.state)) {
    throw SimApiError.invalid(`Volume ${volume.name} is in state ${volume.state} and cannot be deleted`);
  }
  s.dropVolume(volume);
  return sync({ success: true });
}

/** The volume commands. */
export const VOLUME_COMMANDS: Readonly<Record<string, SimCommand>> = {
  listVolumes: { handle: listVolumes },
  createVolume: { cmdClass: `${PKG}.CreateVolumeCmd`, handle: createVolume },
  attachVolume: { cmdClass: `${PKG}.AttachVolumeCmd`, handle: attachVolume },
  detachVolume: { cmdClass: `${PKG}.DetachVolumeCmd`, handle: detachVolume },
  deleteVolume: { handle: deleteVolume },
};
