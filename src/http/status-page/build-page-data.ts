/**
 * Pure assembly of the status page's data from the last pass (world, gated drift, plan), the audit
 * log and the console state. No I/O: the handler reads, this decides what the operator sees.
 */
import type { Config } from '../../config/config-schema.js';
import { QUARANTINE_TAG } from '../../../reconcilers/lib/names.js';
import type { AuditRecord } from '../../engine/store/audit-log.js';
import type { GatedDrift, PlanJson } from '../../reconcile/types.js';
import { SOURCES } from '../../world/drift-kinds.js';
import type { World } from '../../world/world.js';
import type { ConsoleState } from './console-state.js';
import { failedOperations } from './failed-operations.js';
import type { OwnershipBlocked, RecentAction, ScheduledDeletion, StatusPageData } from './status-page-data.js';

/** Contexts per page of the VM contexts list. */
export const CONTEXT_PAGE_SIZE = 50;

const PAUSED = 'oma-reconciler/paused';

/** Inputs of {@link buildPageData}. */
export interface PageInputs {
  readonly config: Config;
  readonly state: ConsoleState;
  readonly world: World | null;
  readonly gated: readonly GatedDrift[];
  readonly plan: PlanJson | null;
  readonly isLeader: boolean;
  readonly recentActions: readonly AuditRecord[];
  /** Reversible successful `quarantine-volume` records by volume id (newest per volume). */
  readonly quarantineActions: ReadonlyMap<string, string>;
  readonly query: string;
  readonly page: number;
}

function addSeconds(iso: string, seconds: number): string | null {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : new Date(ms + seconds * 1000).toISOString();
}

function ownershipBlocked(plan: PlanJson | null, gated: readonly GatedDrift[]): OwnershipBlocked[] {
  if (!plan) return [];
  const out: OwnershipBlocked[] = [];
  for (const d of gated) {
    const blocked = d.actions.find((a) => a.blockedBy === 'ownership');
    if (!blocked) continue;
    const type = d.subject.type;
    if (type !== 'volume' && type !== 'snapshot' && type !== 'vm') continue;
    out.push({
      type,
      id: d.subject.id,
      name: d.subject.name ?? null,
      kind: d.kind,
      detail: blocked.blockedReason ?? 'ownership checks failing',
    });
  }
  return out;
}

function scheduledDeletions(
  world: World | null,
  config: Config,
  keep: ReadonlyMap<string, string>,
): ScheduledDeletion[] {
  if (!world) return [];
  return world.cloudstack.volumes
    .filter((v) => v.tags[QUARANTINE_TAG] !== undefined)
    .map((v) => {
      const at = v.tags[QUARANTINE_TAG] ?? '';
      return {
        volumeId: v.id,
        name: v.name,
        quarantinedAt: at,
        deleteAt: addSeconds(at, config.quarantineTtlSeconds),
        keepActionId: keep.get(v.id) ?? null,
      };
    })
    .sort((a, b) => (a.deleteAt ?? '').localeCompare(b.deleteAt ?? ''));
}

function recentActions(records: readonly AuditRecord[]): RecentAction[] {
  return records.map((a) => ({
    id: a.id,
    at: a.createdAt,
    kind: a.kind,
    action: a.action,
    subject: a.subject.name ?? a.subject.id,
    outcome: a.outcome,
    error: a.error,
    actor: a.actor,
    undoable: a.reversible && a.outcome === 'success',
  }));
}

/** Builds everything the page renders. */
export function buildPageData(input: PageInputs): StatusPageData {
  const { world, plan, config, state } = input;
  const db = world?.database;
  const sources = Object.fromEntries(
    SOURCES.map((name) => {
      const s = plan?.sources[name] ?? { complete: false, error: 'no pass yet' };
      return [
        name,
        { ...s, lastCompleteAt: state.lastCompleteAt(name) ?? (s.complete && plan ? plan.observedAt : null) },
      ];
    }),
  ) as StatusPageData['health']['sources'];
  const q = input.query.trim().toLowerCase();
  const contexts = (db?.contexts ?? [])
    .filter(
      (c) =>
        q === '' ||
        c.vmName.toLowerCase().includes(q) ||
        c.contextId.toLowerCase().includes(q) ||
        c.currentStatus.includes(q),
    )
    .sort((a, b) => a.vmName.localeCompare(b.vmName));
  const pages = Math.max(1, Math.ceil(contexts.length / CONTEXT_PAGE_SIZE));
  const page = Math.min(Math.max(1, input.page), pages);
  const jobs = new Map((db?.replicationJobs ?? []).map((j) => [j.id, j]));
  return {
    health: {
      mode: plan?.mode ?? config.mode,
      leader: input.isLeader,
      sources,
      lastPass: state.lastPass && {
        finishedAt: state.lastPass.finishedAt,
        durationSeconds: state.lastPass.durationSeconds,
        result: state.lastPass.result,
      },
      trips: state.lastPass?.trips ?? [],
      modeCeiling: world?.passContext?.modeCeiling ?? null,
      mutationsEnabled: config.apiToken !== undefined && config.apiToken !== '',
    },
    plan,
    needsYou: {
      failedOperations: world ? failedOperations(world, input.gated) : [],
      ownershipBlocked: ownershipBlocked(plan, input.gated),
      cleanupRequired: (db?.contexts ?? [])
        .filter((c) => c.currentStatus === 'cleanup_required')
        .map((c) => {
          const job = c.currentJobId ? jobs.get(c.currentJobId) : undefined;
          return {
            contextId: c.contextId,
            vmName: c.vmName,
            reason: job?.errorMessage ?? (job ? `job ${job.id} is ${job.status}` : 'no current job recorded'),
          };
        }),
      paused: [
        ...(db?.contexts ?? [])
          .filter((c) => c.annotations[PAUSED] === 'true')
          .map((c) => ({ type: 'context', id: c.contextId, name: c.vmName })),
        ...(db?.replicationJobs ?? [])
          .filter((j) => j.annotations[PAUSED] === 'true')
          .map((j) => ({ type: 'replication job', id: j.id, name: j.id })),
        ...(db?.failoverJobs ?? [])
          .filter((j) => j.annotations[PAUSED] === 'true')
          .map((j) => ({ type: 'failover job', id: j.jobId, name: j.sourceVmName })),
      ],
    },
    scheduledDeletions: scheduledDeletions(world, config, input.quarantineActions),
    recentActions: recentActions(input.recentActions),
    contexts: {
      query: input.query,
      page,
      pageSize: CONTEXT_PAGE_SIZE,
      total: contexts.length,
      rows: contexts.slice((page - 1) * CONTEXT_PAGE_SIZE, page * CONTEXT_PAGE_SIZE).map((c) => ({
        contextId: c.contextId,
        vmName: c.vmName,
        status: c.currentStatus,
        currentJobId: c.currentJobId,
      })),
    },
  };
}
