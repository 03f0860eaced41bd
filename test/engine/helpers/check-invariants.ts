/**
 * The desired-state invariants of oma-system.md §8, checked on an {@link ApplianceSnapshot}, plus
 * the appliance-wide "nothing left over" rules the reconcilers exist for. Returns one sentence per
 * violation, so a test asserts `toEqual([])` and a failure names exactly what is wrong.
 */
import { byIdPath } from '../../../src/world/by-id.js';
import { sanitizeVmName } from '../../../src/appliance-world/sanitize-vm-name.js';
import type { ApplianceSnapshot } from './read-appliance.js';

const ON_OMA = ['ready_for_failover', 'replicating', 'discovered'];
const EXPORTED = ['ready_for_failover', 'replicating'];
const FAILED_OVER = ['failed_over_test', 'failed_over_live'];
const TERMINAL_JOB = ['completed', 'failed', 'cancelled', 'replication_failed'];
const OS_DISK = 'disk-2000';
/** The appliance's fixed NBD port: the fixture world writes it, while the sandboxed server listens elsewhere. */
const APPLIANCE_NBD_PORT = 10809;
const QUARANTINE_TAG = 'oma-reconciler/quarantined-at';
const isFailoverSnapshot = (name: string): boolean =>
  name.startsWith('multi-test-failover-') || name.startsWith('test-failover-');
const exportName = (volumeId: string): string => `migration-vol-${volumeId}`;

type Ctx = ApplianceSnapshot['db']['contexts'][number];
type VolumeRow = ApplianceSnapshot['db']['osseaVolumes'][number];

/** §8.1–8.4 for one volume of a context whose volumes belong on the OMA. */
function onOmaVolume(s: ApplianceSnapshot, ctx: Ctx, row: VolumeRow, out: string[]): void {
  const at = `${ctx.vm_name} (${ctx.current_status}) volume ${row.volume_id}`;
  const path = byIdPath(row.volume_id, s.byIdDir);
  const volume = s.sim.volumes.find((v) => v.id === row.volume_id);
  if (!volume) out.push(`§8.1 ${at}: no CloudStack volume`);
  else if (volume.vmId !== s.omaVmId) out.push(`§8.1 ${at}: attached to ${volume.vmId ?? 'no VM'}, not the OMA`);
  const maps = s.db.deviceMappings.filter((m) => m.volume_uuid === row.volume_id);
  if (maps.length !== 1) out.push(`§8.2 ${at}: ${maps.length} device_mappings rows`);
  for (const m of maps) {
    if (m.vm_id !== s.omaVmId || m.operation_mode !== 'oma' || m.device_path !== path) {
      out.push(`§8.2 ${at}: mapping ${m.vm_id}/${m.operation_mode ?? 'null'}/${m.device_path}`);
    }
  }
  if (s.links.get(path) !== true) out.push(`§8.2 ${at}: by-id link ${path} does not resolve`);
  if (EXPORTED.includes(ctx.current_status)) {
    const name = exportName(row.volume_id);
    const rows = s.db.nbdExports.filter((e) => e.export_name === name);
    if (rows.length !== 1) out.push(`§8.3 ${at}: ${rows.length} nbd_exports rows`);
    for (const e of rows) {
      if (
        e.status !== 'active' ||
        e.device_path !== path ||
        ![s.nbdPort, APPLIANCE_NBD_PORT].includes(Number(e.port))
      ) {
        out.push(`§8.3 ${at}: nbd_exports row ${e.status}/${e.device_path}/${e.port}`);
      }
    }
    const conf = s.nbd.configured.filter((e) => e.name === name);
    if (conf.length !== 1) out.push(`§8.3 ${at}: ${conf.length} export sections`);
    for (const e of conf) {
      if (e.exportname !== path || e.file !== `${s.confDir}/${name}.conf`) {
        out.push(`§8.3 ${at}: section ${e.file} → ${e.exportname}`);
      }
    }
    if (s.nbd.live !== null && !s.nbd.live.includes(name)) out.push(`§8.3 ${at}: not served by nbd-server`);
  }
  if (row.snapshot_id) out.push(`§8.4 ${at}: snapshot_id ${row.snapshot_id}`);
  for (const snap of s.sim.snapshots.filter((x) => x.volumeId === row.volume_id && isFailoverSnapshot(x.name))) {
    out.push(`§8.4 ${at}: snapshot ${snap.name}`);
  }
}

/** §8 for a context. */
function checkContext(s: ApplianceSnapshot, ctx: Ctx, out: string[]): void {
  const volumes = s.db.osseaVolumes.filter((v) => v.vm_context_id === ctx.context_id);
  const failovers = s.db.failoverJobs.filter((f) => f.vm_context_id === ctx.context_id);
  if (ON_OMA.includes(ctx.current_status)) {
    for (const row of volumes) onOmaVolume(s, ctx, row, out);
    for (const f of failovers.filter((x) => x.status === 'pending')) {
      out.push(`§8.5 ${ctx.vm_name}: failover ${f.job_id} pending`);
    }
    const testVm = new RegExp(`^${sanitizeVmName(ctx.vm_name)}-test-\\d{10}$`);
    for (const vm of s.sim.vms.filter((x) => testVm.test(x.name))) {
      out.push(`§8.5 ${ctx.vm_name}: test VM ${vm.name} alive`);
    }
    const job = s.db.replicationJobs.find((j) => j.id === ctx.current_job_id);
    if (ctx.current_job_id !== null && (!job || TERMINAL_JOB.includes(job.status ?? ''))) {
      out.push(`§8.6 ${ctx.vm_name}: current_job_id ${ctx.current_job_id} is ${job?.status ?? 'missing'}`);
    }
  }
  if (FAILED_OVER.includes(ctx.current_status)) {
    const fj = failovers.find((f) => f.status === 'completed' && f.destination_vm_id !== null);
    if (!fj) out.push(`§8 ${ctx.vm_name}: no completed failover with a destination VM`);
    for (const row of volumes) {
      const at = `${ctx.vm_name} (${ctx.current_status}) volume ${row.volume_id}`;
      const volume = s.sim.volumes.find((v) => v.id === row.volume_id);
      const isOs = s.db.vmDisks.some((d) => d.ossea_volume_id === row.id && d.disk_id === OS_DISK);
      if (fj && volume?.vmId !== fj.destination_vm_id) {
        out.push(`§8 ${at}: not attached to ${fj.destination_vm_id ?? '?'}`);
      }
      if (isOs && volume?.deviceId !== 0) out.push(`§8 ${at}: OS disk at deviceid ${String(volume?.deviceId)}`);
      const map = s.db.deviceMappings.find((m) => m.volume_uuid === row.volume_id);
      if (map?.operation_mode !== 'failover' || !map.device_path.startsWith('remote-vm-')) {
        out.push(`§8 ${at}: mapping ${map?.operation_mode ?? 'none'} ${map?.device_path ?? ''}`);
      }
      if (
        s.nbd.configured.some((e) => e.name === exportName(row.volume_id)) ||
        s.db.nbdExports.some((e) => e.volume_id === row.volume_id)
      ) {
        out.push(`§8 ${at}: still exported`);
      }
      const snap = s.sim.snapshots.find((x) => x.id === row.snapshot_id);
      if (ctx.current_status === 'failed_over_test' && snap?.state !== 'BackedUp') {
        out.push(`§8 ${at}: snapshot ${row.snapshot_id ?? 'none'} not ready`);
      }
    }
  }
}

/** The reconcilers' own "nothing left over" rules, appliance-wide. */
function checkLeftovers(s: ApplianceSnapshot, out: string[]): void {
  const owned = new Set(s.db.osseaVolumes.map((v) => v.volume_id));
  const volumes = new Map(s.sim.volumes.map((v) => [v.id, v]));
  for (const e of s.nbd.configured.filter((x) => x.name.startsWith('migration-vol-'))) {
    const volume = volumes.get(e.name.slice('migration-vol-'.length));
    if (volume?.vmId !== s.omaVmId) {
      out.push(`export ${e.name}: its volume is ${volume ? `on ${volume.vmId ?? 'no VM'}` : 'gone'}`);
    }
    if (!s.db.nbdExports.some((r) => r.export_name === e.name)) out.push(`export ${e.name}: no nbd_exports row`);
  }
  if (s.nbd.live !== null) {
    const configured = new Set(s.nbd.configured.map((e) => e.name));
    for (const name of s.nbd.live) {
      if (!configured.has(name)) out.push(`nbd-server serves ${name}, which no config file defines`);
    }
    for (const name of configured) {
      if (!s.nbd.live.includes(name)) out.push(`nbd-server does not serve configured ${name}`);
    }
  }
  for (const r of s.db.nbdExports) {
    if (!s.nbd.configured.some((e) => e.name === r.export_name)) {
      out.push(`nbd_exports row ${r.export_name}: no export section`);
    }
  }
  for (const m of s.db.deviceMappings) {
    if (volumes.get(m.volume_uuid)?.vmId !== m.vm_id) {
      out.push(`device mapping of ${m.volume_uuid}: volume is not on ${m.vm_id}`);
    }
  }
  for (const v of s.sim.volumes) {
    if (v.type === 'DATADISK' && v.vmId === s.omaVmId && !owned.has(v.id)) {
      out.push(`volume ${v.id} (${v.name}) holds an OMA slot without an ossea_volumes row`);
    }
    if (
      v.name.startsWith('migration-') &&
      !owned.has(v.id) &&
      (v.vmId !== null || v.tags[QUARANTINE_TAG] === undefined)
    ) {
      out.push(`orphan volume ${v.id} (${v.name}) not quarantined`);
    }
  }
  const referenced = new Set([
    ...s.db.osseaVolumes.map((v) => v.snapshot_id),
    ...s.db.failoverJobs.map((f) => f.ossea_snapshot_id),
  ]);
  for (const x of s.sim.snapshots) {
    if (isFailoverSnapshot(x.name) && !referenced.has(x.id)) {
      out.push(`snapshot ${x.name} (${x.id}) referenced by nothing`);
    }
  }
  for (const m of s.db.vmExportMappings) {
    if (!s.nbd.configured.some((e) => e.name === m.export_name)) {
      out.push(`vm_export_mappings row ${m.id} (${m.export_name}) without an export`);
    }
  }
  const hourAgo = Date.now() - 3_600_000;
  for (const op of s.db.volumeOperations) {
    if ((op.status === 'pending' || op.status === 'executing') && (op.updated_at?.getTime() ?? 0) < hourAgo) {
      out.push(`volume operation ${op.id} ${op.status} for over an hour`);
    }
  }
}

/** Every violated invariant, as sentences (empty when the appliance is consistent). */
export function checkInvariants(snapshot: ApplianceSnapshot): string[] {
  const out: string[] = [];
  // CloudStack lists neither destroyed snapshots nor destroyed VMs.
  const s = {
    ...snapshot,
    sim: {
      ...snapshot.sim,
      snapshots: snapshot.sim.snapshots.filter((x) => x.state !== 'Destroyed'),
      vms: snapshot.sim.vms.filter((vm) => !['Destroyed', 'Expunging'].includes(vm.state)),
    },
  };
  for (const ctx of s.db.contexts) checkContext(s, ctx, out);
  checkLeftovers(s, out);
  return out;
}
