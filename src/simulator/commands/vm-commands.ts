/** listVirtualMachines, deployVirtualMachine, start/stop/destroyVirtualMachine. */
import { SimApiError } from '../sim-api-error.js';
import { sync, type SimCommand, type SimContext } from '../sim-context.js';
import { OWNED_LIST_PARAMS, paginate, queryKey, tagFilter, visibleTo } from '../sim-list.js';
import { renderVm } from '../sim-render.js';
import type { SimVm } from '../sim-types.js';
import { jobOn } from './pending.js';

const GiB = 1024 ** 3;
const PKG = 'org.apache.cloudstack.api.command.user.vm';

const notFound = (id: string) => SimApiError.invalid(`Unable to find virtual machine with specified vmId ${id}`);

function listVirtualMachines(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const id = p.uuid(s, 'id', 'vm');
  const ids = p.uuidList(s, 'ids', 'vm');
  p.uuid(s, 'zoneid', 'zone');
  const key = queryKey(ctx, ['id', 'ids', 'name', 'state', ...OWNED_LIST_PARAMS]);
  const items = ctx.cache.get(key, s.version, () => {
    const visible = visibleTo(ctx);
    const tags = tagFilter(ctx);
    const [name, state, zoneId] = [p.get('name'), p.get('state')?.toLowerCase(), p.get('zoneid')];
    const keyword = p.get('keyword')?.toLowerCase();
    const idSet = ids ? new Set(ids) : null;
    const source = id !== undefined ? [s.vms.get(id)].filter((x): x is SimVm => x !== undefined) : s.vms.values();
    const out: SimVm[] = [];
    for (const vm of source) {
      if (!visible(vm.account, vm.projectId)) continue;
      if (idSet && !idSet.has(vm.id)) continue;
      if (name !== undefined && vm.name !== name) continue;
      if (state !== undefined && vm.state.toLowerCase() !== state) continue;
      if (zoneId !== undefined && vm.zoneId !== zoneId) continue;
      if (keyword !== undefined && !`${vm.name} ${vm.displayName}`.toLowerCase().includes(keyword)) continue;
      if (tags && !tags(s.tagsOf('UserVm', vm.id))) continue;
      out.push(vm);
    }
    return out;
  });
  return sync(paginate(ctx, items, 'virtualmachine', (vm) => renderVm(s, vm)));
}

function deployVirtualMachine(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const serviceOfferingId = p.requiredUuid(s, 'serviceofferingid', 'serviceoffering');
  const templateId = p.requiredUuid(s, 'templateid', 'template');
  p.requiredUuid(s, 'zoneid', 'zone');
  const startVm = p.bool('startvm', true);
  const rootGiB = p.int('rootdisksize');
  const template = s.templates.get(templateId);
  const name = p.get('name');
  const created = s.addVirtualMachine({
    name: name ?? `VM-${Date.now().toString(36)}`,
    displayName: p.get('displayname') ?? name ?? 'vm',
    state: startVm ? 'Starting' : 'Stopped',
    account: ctx.caller.name,
    templateId,
    serviceOfferingId,
    rootSizeBytes: rootGiB !== undefined ? rootGiB * GiB : (template?.sizeBytes ?? 8 * GiB),
  });
  const vm = s.vms.get(created.id) as SimVm;
  const run = () => {
    if (s.vms.get(vm.id) !== vm) throw SimApiError.internal('The VM was removed while it was being deployed');
    vm.state = startVm ? 'Running' : 'Stopped';
    s.touch();
    return { virtualmachine: renderVm(s, vm) };
  };
  return jobOn('VirtualMachine', vm.id, vm, run, vm.id);
}

function vmJob(ctx: SimContext, id: string, run: (vm: SimVm) => Record<string, unknown>) {
  return jobOn('VirtualMachine', id, ctx.state.vms.get(id), () => {
    const current = ctx.state.vms.get(id);
    if (!current) throw notFound(id);
    return run(current);
  });
}

function startVirtualMachine(ctx: SimContext) {
  const id = ctx.params.requiredUuid(ctx.state, 'id', 'vm');
  return vmJob(ctx, id, (vm) => {
    if (vm.state === 'Running') {
      throw SimApiError.invalid(`The virtual machine ${vm.id} (${vm.displayName}) is already running`);
    }
    if (vm.state !== 'Stopped') throw SimApiError.invalid(`Unable to start VM ${vm.id} as it is in state ${vm.state}`);
    vm.state = 'Running';
    ctx.state.touch();
    return { virtualmachine: renderVm(ctx.state, vm) };
  });
}

function stopVirtualMachine(ctx: SimContext) {
  const id = ctx.params.requiredUuid(ctx.state, 'id', 'vm');
  return vmJob(ctx, id, (vm) => {
    if (vm.state === 'Destroyed' || vm.state === 'Expunging') {
      throw SimApiError.invalid(`Unable to stop VM ${vm.id} as it is in state ${vm.state}`);
    }
    // Stopping a stopped VM succeeds; `forced` only matters to a real hypervisor.
    vm.state = 'Stopped';
    ctx.state.touch();
    return { virtualmachine: renderVm(ctx.state, vm) };
  });
}

function destroyVirtualMachine(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const id = p.requiredUuid(s, 'id', 'vm');
  const expunge = p.bool('expunge', false);
  const volumeIds = p.uuidList(s, 'volumeids', 'volume') ?? [];
  return vmJob(ctx, id, (vm) => {
    for (const volumeId of volumeIds) {
      const volume = s.volumes.get(volumeId);
      if (volume?.type !== 'DATADISK' || volume.vmId !== vm.id) {
        throw SimApiError.invalid(`Please specify volumes of type DATADISK attached to the VM ${vm.id}`);
      }
    }
    for (const volumeId of volumeIds) {
      const volume = s.volumes.get(volumeId);
      if (volume) s.dropVolume(volume);
    }
    const result = { virtualmachine: { ...renderVm(s, vm), state: 'Destroyed' } };
    if (expunge) {
      s.expungeVm(vm);
      return result;
    }
    if (vm.state !== 'Destroyed') {
      vm.state = 'Destroyed';
      vm.expungeAt = ctx.now() + ctx.config.expungeDelayMs;
      for (const volumeId of s.devices.get(vm.id)?.values() ?? []) {
        const volume = s.volumes.get(volumeId);
        if (volume?.type === 'ROOT') volume.state = 'Destroy';
      }
      s.touch();
      ctx.jobs.later(ctx.config.expungeDelayMs, () => {
        if (s.vms.get(vm.id) === vm && vm.state === 'Destroyed') s.expungeVm(vm);
      });
    }
    return result;
  });
}

/** The VM commands. */
export const VM_COMMANDS: Readonly<Record<string, SimCommand>> = {
  listVirtualMachines: { handle: listVirtualMachines },
  deployVirtualMachine: { cmdClass: `${PKG}.DeployVMCmd`, handle: deployVirtualMachine },
  startVirtualMachine: { cmdClass: `${PKG}.StartVMCmd`, handle: startVirtualMachine },
  stopVirtualMachine: { cmdClass: `${PKG}.StopVMCmd`, handle: stopVirtualMachine },
  destroyVirtualMachine: { cmdClass: `${PKG}.DestroyVMCmd`, handle: destroyVirtualMachine },
};
