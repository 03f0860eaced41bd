/**
 * `explain SUBJECT`: what every source says about one subject (a CloudStack volume/snapshot/VM id,
 * an export name, a job id, a context id or a VM name), which drift rules match it, and the gate
 * decisions. Pure: built from one world and its gated drift.
 */
import { exportNameFor } from '../../reconcilers/lib/names.js';
import type { World } from '../world/world.js';
import type { GatedDrift } from '../reconcile/types.js';

/** The explanation of one subject. */
export interface Explanation {
  readonly subject: string;
  readonly observedAt: string;
  readonly sources: World['sources'];
  /** Facts per source, as the records that mention the subject. */
  readonly facts: Readonly<Record<string, readonly unknown[]>>;
  readonly drift: readonly GatedDrift[];
  /** How to adopt an object that only looks ours, when relevant. */
  readonly hints: readonly string[];
}

function mentions(record: object, subject: string): boolean {
  return Object.values(record).some((v) => v === subject);
}

/** Explains a subject, or returns null when no source and no drift item mentions it. */
export function explainSubject(world: World, gated: readonly GatedDrift[], subject: string): Explanation | null {
  const db = world.database;
  // nbd-server knows a volume only by its export name (`migration-vol-<volume id>`).
  const exported = exportNameFor(subject);
  const nbdMentions = (record: object): boolean => mentions(record, subject) || mentions(record, exported);
  const facts: Record<string, readonly unknown[]> = {
    'database.contexts': db.contexts.filter((r) => mentions(r, subject)),
    'database.replication_jobs': db.replicationJobs.filter((r) => mentions(r, subject)),
    'database.vm_disks': db.vmDisks.filter((r) => mentions(r, subject)),
    'database.ossea_volumes': db.osseaVolumes.filter((r) => mentions(r, subject)),
    'database.device_mappings': db.deviceMappings.filter((r) => mentions(r, subject)),
    'database.nbd_exports': db.nbdExports.filter((r) => mentions(r, subject)),
    'database.vm_export_mappings': db.vmExportMappings.filter((r) => mentions(r, subject)),
    'database.failover_jobs': db.failoverJobs.filter((r) => mentions(r, subject)),
    'database.job_tracking': db.jobTracking.filter((r) => mentions(r, subject)),
    'database.volume_operations': db.volumeOperations.filter((r) => mentions(r, subject)),
    'database.cleanup_requests': db.cleanupRequests.filter((r) => mentions(r, subject)),
    ledger: db.ledger.filter((r) => r.objectId === subject),
    'cloudstack.volumes': world.cloudstack.volumes.filter((r) => mentions(r, subject)),
    'cloudstack.snapshots': world.cloudstack.snapshots.filter((r) => mentions(r, subject)),
    'cloudstack.virtual_machines': world.cloudstack.virtualMachines.filter((r) => mentions(r, subject)),
    'nbd.configured': world.nbd.configured.filter(nbdMentions),
    'nbd.live': (world.nbd.server.liveExports ?? []).filter((n) => n === subject || n === exported),
    'nbd.pending': world.nbd.pending.filter(nbdMentions),
    'devices.links': world.devices.links.filter((r) => mentions(r, subject)),
  };
  const contextIds = new Set([
    ...db.contexts.filter((c) => c.vmName === subject || c.contextId === subject).map((c) => c.contextId),
  ]);
  const drift = gated.filter(
    (d) =>
      d.subject.id === subject ||
      d.subject.name === subject ||
      (d.contextId !== null && contextIds.has(d.contextId)) ||
      d.evidence.some((e) => e.fact.includes(subject)),
  );
  const found = Object.values(facts).some((list) => list.length > 0) || drift.length > 0;
  if (!found) return null;
  const hints: string[] = [];
  const lookalike = world.cloudstack.volumes.find(
    (v) => v.id === subject && !db.ledger.some((l) => l.objectId === subject),
  );
  if (lookalike) {
    hints.push(
      `volume ${subject} is not in the ownership ledger: oma-reconciler will never delete it. If it is the OMA's, adopt it with: ` +
        `oma-reconciler adopt volume ${subject} --reason TEXT (or the status page's Adopt button)`,
    );
  }
  // An operator's undo holds the subject: say so whatever gate blocks first.
  const hold = world.passContext?.undoHolds?.[subject];
  if (hold !== undefined) hints.push(`${subject} is ${hold}`);
  for (const d of drift) if (d.note !== undefined) hints.push(d.note);
  return { subject, observedAt: world.observedAt, sources: world.sources, facts, drift, hints };
}
