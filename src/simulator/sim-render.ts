/**
 * Renders simulator records as CloudStack API objects: absent (not null) fields when there is no
 * value, `+0000` timestamps, byte sizes, `jobid`/`jobstatus` while a job is pending on the object.
 */
import { formatCsTimestamp } from '../cloudstack/cs-time.js';
import type { SimJob } from './sim-jobs.js';
import { ROOT_DOMAIN_ID, type SimStore } from './sim-store.js';
import type {
  SimDiskOffering,
  SimServiceOffering,
  SimSnapshot,
  SimTag,
  SimTemplate,
  SimVm,
  SimVolume,
  SimZone,
} from './sim-types.js';

type Json = Record<string, unknown>;

const HOST_ID = '8e8e68e7-19ea-4a78-bbdb-6e79d27729c9';
const STORAGE_ID = '5c0b9f9e-0000-4000-8000-000000000002';

function owner(store: SimStore, account: string): Json {
  const a = store.accounts.get(account);
  return { account, domainid: a?.domainId ?? ROOT_DOMAIN_ID, domain: a?.domain ?? 'ROOT' };
}

function pending(id: string | null): Json {
  return id === null ? {} : { jobid: id, jobstatus: 0 };
}

/** A tag row (`tag`, or an entry of `tags[]`). */
export function renderTag(store: SimStore, t: SimTag): Json {
  return {
    key: t.key,
    value: t.value,
    resourcetype: t.resourceType,
    resourceid: t.resourceId,
    ...owner(store, t.account),
  };
}

/** A `volume` object. VM fields are left out entirely when detached. */
export function renderVolume(store: SimStore, v: SimVolume): Json {
  const zone = store.zones.get(v.zoneId);
  const vm = v.vmId === null ? undefined : store.vms.get(v.vmId);
  const offering = v.diskOfferingId === null ? undefined : store.diskOfferings.get(v.diskOfferingId);
  return {
    id: v.id,
    name: v.name,
    zoneid: v.zoneId,
    zonename: zone?.name,
    type: v.type,
    ...(vm && v.deviceId !== null
      ? {
          deviceid: v.deviceId,
          virtualmachineid: vm.id,
          vmname: vm.name,
          vmdisplayname: vm.displayName,
          vmstate: vm.state,
          vmtype: 'User',
        }
      : {}),
    provisioningtype: 'thin',
    size: v.sizeBytes,
    created: formatCsTimestamp(v.created),
    ...(v.attached !== null && vm ? { attached: formatCsTimestamp(v.attached) } : {}),
    state: v.state,
    ...owner(store, v.account),
    ...(v.projectId !== null ? { projectid: v.projectId } : {}),
    storagetype: 'shared',
    hypervisor: 'KVM',
    ...(offering
      ? { diskofferingid: offering.id, diskofferingname: offering.name, diskofferingdisplaytext: offering.name }
      : {}),
    // Real CloudStack names the pool only once the volume is on one: an Allocated volume has none.
    ...(v.state === 'Allocated' ? {} : { storage: 'sim-primary-1', storageid: STORAGE_ID, path: v.id }),
    destroyed: v.state === 'Destroy',
    isextractable: true,
    tags: store.tagsOf('Volume', v.id).map((t) => renderTag(store, t)),
    displayvolume: true,
    quiescevm: false,
    supportsstoragesnapshot: false,
    ...pending(v.pendingJobId),
  };
}

/** A `snapshot` object. */
export function renderSnapshot(store: SimStore, s: SimSnapshot): Json {
  const volume = store.volumes.get(s.volumeId);
  return {
    id: s.id,
    ...owner(store, s.account),
    snapshottype: 'MANUAL',
    volumeid: s.volumeId,
    ...(volume ? { volumename: volume.name, volumetype: volume.type, volumestate: volume.state } : {}),
    created: formatCsTimestamp(s.created),
    name: s.name,
    intervaltype: 'MANUAL',
    state: s.state,
    physicalsize: Math.round(s.virtualSizeBytes / 10),
    virtualsize: s.virtualSizeBytes,
    revertable: s.state === 'BackedUp',
    locationtype: 'PRIMARY',
    zoneid: s.zoneId,
    zonename: store.zones.get(s.zoneId)?.name,
    tags: store.tagsOf('Snapshot', s.id).map((t) => renderTag(store, t)),
    ...pending(s.pendingJobId),
  };
}

/** A `virtualmachine` object (one NIC; the OMA finds itself by MAC). */
export function renderVm(store: SimStore, vm: SimVm): Json {
  const offering = store.serviceOfferings.get(vm.serviceOfferingId);
  const template = store.templates.get(vm.templateId);
  const running = vm.state === 'Running' || vm.state === 'Stopping';
  return {
    id: vm.id,
    name: vm.name,
    displayname: vm.displayName,
    instancename: `i-2-${vm.internalId}-VM`,
    ...owner(store, vm.account),
    ...(vm.projectId !== null ? { projectid: vm.projectId } : {}),
    created: formatCsTimestamp(vm.created),
    state: vm.state,
    haenable: false,
    zoneid: vm.zoneId,
    zonename: store.zones.get(vm.zoneId)?.name,
    ...(running ? { hostid: HOST_ID, hostname: 'sim-kvm-host-1' } : {}),
    templateid: vm.templateId,
    templatename: template?.name,
    serviceofferingid: vm.serviceOfferingId,
    serviceofferingname: offering?.name,
    cpunumber: offering?.cpuNumber,
    cpuspeed: offering?.cpuSpeed,
    memory: offering?.memory,
    rootdeviceid: 0,
    rootdevicetype: 'ROOT',
    securitygroup: [],
    nic: [
      {
        id: `${vm.id.slice(0, 24)}00000000000a`,
        macaddress: vm.macAddress,
        ipaddress: vm.ipAddress,
        isdefault: true,
        traffictype: 'Guest',
        type: 'Isolated',
        netmask: '255.0.0.0',
        gateway: '10.0.0.1',
      },
    ],
    hypervisor: 'KVM',
    details: {},
    tags: store.tagsOf('UserVm', vm.id).map((t) => renderTag(store, t)),
    ...pending(vm.pendingJobId),
  };
}

/** A `zone` object. */
export function renderZone(z: SimZone): Json {
  return {
    id: z.id,
    name: z.name,
    networktype: 'Advanced',
    allocationstate: 'Enabled',
    localstorageenabled: false,
    securitygroupsenabled: false,
    tags: [],
  };
}

/** A `serviceoffering` object. */
export function renderServiceOffering(o: SimServiceOffering): Json {
  return {
    id: o.id,
    name: o.name,
    displaytext: o.name,
    cpunumber: o.cpuNumber,
    cpuspeed: o.cpuSpeed,
    memory: o.memory,
    storagetype: 'shared',
    iscustomized: false,
  };
}

/** A `diskoffering` object. */
export function renderDiskOffering(o: SimDiskOffering): Json {
  return {
    id: o.id,
    name: o.name,
    displaytext: o.name,
    disksize: o.diskSizeGiB,
    iscustomized: o.customized,
    storagetype: 'shared',
    provisioningtype: 'thin',
  };
}

/** A `template` object. */
export function renderTemplate(store: SimStore, t: SimTemplate): Json {
  return {
    id: t.id,
    name: t.name,
    displaytext: t.name,
    ispublic: true,
    isfeatured: t.featured,
    isready: true,
    format: 'QCOW2',
    hypervisor: 'KVM',
    size: t.sizeBytes,
    templatetype: 'USER',
    ostypename: 'Ubuntu 22.04 LTS',
    account: t.account,
    zoneid: store.defaults.zoneId,
    zonename: store.zones.get(store.defaults.zoneId)?.name,
    created: formatCsTimestamp(0),
  };
}

/** The flat job object of `queryAsyncJobResult` (and `asyncjobs` items). */
export function renderJob(job: SimJob): Json {
  return {
    accountid: job.accountId,
    userid: job.userId,
    cmd: job.cmdClass,
    jobstatus: job.status,
    jobprocstatus: 0,
    jobresultcode: job.resultCode,
    ...(job.status === 0 ? {} : { jobresulttype: 'object', jobresult: job.result }),
    ...(job.instanceType !== null ? { jobinstancetype: job.instanceType } : {}),
    ...(job.instanceId !== null ? { jobinstanceid: job.instanceId } : {}),
    created: formatCsTimestamp(job.created),
    ...(job.completed !== null ? { completed: formatCsTimestamp(job.completed) } : {}),
    jobid: job.id,
  };
}
