/**
 * One reconcile pass, one way: observe → diff → gates → act → record. Reconcilers and gates are
 * pure; this module holds the order, the I/O around them and the records.
 */
import { passVolumeWriter } from './actuators/pass-volume-writer.js';
import PQueue from 'p-queue';
import { diffAll, needsByKind } from '../../reconcilers/index.js';
import { policyFromConfig } from '../../reconcilers/lib/policy-from-config.js';
import type { Mode } from '../config/config-schema.js';
import type { ActionOutcome, BlockedActionReport, PassReport, SafetyTrip } from '../reconcile/engine-port.js';
import { coerceError } from '../errors.js';
import type { DriftKind } from '../world/drift-kinds.js';
import { saveWorld } from '../world/world-file.js';
import type { World } from '../world/world.js';
import type { ActuatorContext } from './actuators/actuator-context.js';
import { executeAction } from './actuators/execute-action.js';
import type { EngineDeps, RunPassOptions } from './engine-deps.js';
import { applyGates } from './gates/apply-gates.js';
import { gateContextFromConfig } from './gates/gate-context.js';
import { ledgerObservations } from './ledger.js';
import { observeWorld } from './observe-world.js';
import { toPlanJson } from './plan-json.js';
import { recordIntent, recordOutcome } from './store/audit-log.js';
import { recordDriftSeen } from './store/drift-tracker.js';
import { saveInventory } from './store/inventory-store.js';
import { recordLedger } from './store/ledger-store.js';
import { MODE_CEILING_KEY } from './store/pass-records.js';
import { writeState } from './store/state-store.js';
import type { GatedAction, GatedDrift, PlanJson } from '../reconcile/types.js';

export { MODE_CEILING_KEY } from './store/pass-records.js';

/** Everything one pass produced. */
export interface CompletedPass {
  readonly world: World;
  readonly gated: readonly GatedDrift[];
  readonly plan: PlanJson;
  readonly report: PassReport;
  /** Per executed action: the audit id and message (for `apply`'s output). */
  readonly executed: readonly (ActionOutcome & { readonly auditId: string | null; readonly message: string })[];
  /** Drift ids acted on that are still present after re-observation (validation phase). */
  readonly remaining: readonly string[];
  readonly worldFile: string | null;
}

/**
 * The world with its pass context (destructive counts of the last hour, mode ceiling), which
 * observation reads with the inventory baseline; a pass without them could overrun the budget.
 */
function withPassContext(world: World): World {
  if (world.passContext === undefined) throw new Error("cannot read the reconciler's own records (audit log, state): no pass without the budget counts");
  return world;
}

/** Observes (or takes the replayed world), diffs and gates: the plan, with no side effect. */
export async function planPass(deps: EngineDeps, options: RunPassOptions): Promise<{ world: World; gated: readonly GatedDrift[]; trips: SafetyTrip[]; tripDetail: Partial<Record<SafetyTrip, string>>; mode: Mode; now: Date }> {
  const replay = options.world !== undefined;
  const observed = options.world ?? (await observeWorld(deps.observe, options.signal));
  // The world's own time, live or replayed: a saved world then replays to the very same plan.
  const now = new Date(observed.observedAt);
  const world = replay ? observed : withPassContext(observed);
  const policy = policyFromConfig(deps.config);
  const items = diffAll(world, policy, now, options.only);
  const ceiling = world.passContext?.modeCeiling ?? null;
  const mode = options.mode ?? deps.config.mode;
  const gateCtx = gateContextFromConfig(deps.config, {
    now,
    policy,
    isLeader: options.isLeader,
    needs: needsByKind(),
    recentByKind: world.passContext?.recentDestructiveByKind ?? {},
    modeCeiling: ceiling,
    graceOverride: options.graceOverride ?? null,
    mode,
  });
  const { drift, tripped } = applyGates(items, world, gateCtx);
  const trips: SafetyTrip[] = [];
  if (tripped.sanity !== undefined) trips.push('sanity');
  if (tripped.budget !== undefined) trips.push('budget');
  const effective: Mode = tripped.sanity !== undefined ? 'observe' : ceiling === 'observe' || (ceiling === 'dry-run' && mode === 'enforce') ? ceiling : mode;
  return { world, gated: drift, trips, tripDetail: tripped, mode: effective, now };
}

function evaluatedKinds(world: World): Set<DriftKind> {
  const needs = needsByKind();
  return new Set((Object.keys(needs) as DriftKind[]).filter((k) => needs[k].every((s) => world.sources[s].complete)));
}

/** Runs a whole pass. Never throws for a failing action; throws only when the database itself fails. */
export async function runPass(deps: EngineDeps, options: RunPassOptions): Promise<CompletedPass> {
  const log = deps.logger.child({ passId: options.passId });
  const planned = await planPass(deps, options);
  const { world, gated, trips } = planned;
  const replay = options.world !== undefined;
  // The time the plan was gated at: first-seen times recorded now are the ones this pass's plan shows.
  const now = planned.now;
  if (!replay) {
    await recordLedger(deps.database.db, world.database.ledger, ledgerObservations(world.database), now);
    await recordDriftSeen(deps.database.db, gated, world.database.driftFirstSeen, evaluatedKinds(world), now);
    if (planned.tripDetail.budget !== undefined && options.act) {
      await writeState(deps.database.db, MODE_CEILING_KEY, { mode: 'dry-run', reason: planned.tripDetail.budget, at: now.toISOString() });
      log.warn({ reason: planned.tripDetail.budget }, 'budget tripped: dry-run until an operator resets it');
    }
    if (planned.tripDetail.sanity !== undefined) log.warn({ reason: planned.tripDetail.sanity }, 'sanity gate tripped: no destructive action this pass');
  }

  const executed: CompletedPass['executed'][number][] = [];
  const blocked: BlockedActionReport[] = [];
  const acted = new Set<string>();
  const fence = { lost: false };
  const nbdTouched = { value: false, allowRestart: false };
  let actx: ActuatorContext | null = null;
  if (options.act && !replay && gated.some((d) => d.actions.some((a) => a.decision === 'run'))) {
    const cs = await deps.cloudstack().catch(() => null);
    const volumes = await passVolumeWriter(deps, cs, cs?.omaVmId ?? world.omaVmId, options.signal, log, options.graceOverride ?? deps.config.thresholds.volumeOperationSettleSeconds);
    actx = {
      ...volumes,
      db: deps.database.db,
      cloudstack: cs?.client ?? null,
      omaVmId: cs?.omaVmId ?? world.omaVmId,
      nbd: deps.nbd,
      clock: deps.clock,
      signal: options.signal,
      logger: log,
      nbdPort: deps.config.nbd.address.port,
      nbdConfDir: deps.config.nbd.confDir,
      deviceByIdDir: deps.config.deviceByIdDir,
      quarantineTtlSeconds: deps.config.quarantineTtlSeconds,
      nbdTouched,
      workflows: deps.workflows,
    };
  }
  const seenWorkflows = new Set<string>();
  const queue = new PQueue({ concurrency: deps.config.cloudstack.concurrency });
  for (const item of gated) {
    const runnable = item.actions.filter((a) => a.decision === 'run');
    for (const a of item.actions) {
      if (a.decision === 'blocked') {
        if (a.dryRun === true) executed.push({ driftId: item.id, kind: item.kind, action: a.action, result: 'dry_run', auditId: null, message: 'dry run' });
        else if (a.blockedBy !== null) blocked.push({ driftId: item.id, kind: item.kind, action: a.action, gate: a.blockedBy });
      }
    }
    if (runnable.length === 0) continue;
    if (!actx || (options.backoff && !options.backoff.mayRetry(item.id))) continue;
    const ctx = actx;
    void queue.add(async () => {
      for (const action of runnable) {
        const wf = workflowKey(action);
        if (wf !== null) {
          if (seenWorkflows.has(wf)) continue;
          seenWorkflows.add(wf);
        }
        if (fence.lost || options.signal.aborted || !(await options.fence())) {
          fence.lost = true;
          blocked.push({ driftId: item.id, kind: item.kind, action: action.action, gate: 'not-leader' });
          continue;
        }
        executed.push(await runOne(deps, options, item, action, ctx));
        acted.add(item.id);
      }
    });
  }
  await queue.onIdle();

  if (actx && nbdTouched.value && !fence.lost && (await options.fence())) {
    const applied = await deps.nbd.applyPending({ allowRestart: true }).catch((e: unknown) => ({ action: 'failed', reason: coerceError(e).message }));
    log.info({ nbdAction: applied.action, reason: applied.reason }, 'nbd changes applied');
  }

  let remaining: string[] = [];
  if (acted.size > 0) {
    // Validation: re-observe and report which acted-on drift is still there.
    const { world: _replayed, ...live } = options;
    const after = await planPass(deps, { ...live, act: false });
    const still = new Set(after.gated.map((d) => d.id));
    remaining = [...acted].filter((id) => still.has(id));
  }
  if (!replay && trips.length === 0 && Object.values(world.sources).every((s) => s.complete)) {
    await saveInventory(deps.database.db, world.sources, now, world.previousInventory);
  }
  const worldFile = !replay && (acted.size > 0 || options.saveWorld === true) ? await saveWorld(deps.config.stateDir, world).catch(() => null) : null;
  const plan = toPlanJson(world, gated, planned.mode);
  const report: PassReport = {
    observedAt: world.observedAt,
    mode: planned.mode,
    sources: plan.sources,
    drift: plan.drift.map((d) => ({ id: d.id, kind: d.kind, class: d.class, firstSeenAt: d.firstSeenAt })),
    actions: executed.map(({ auditId: _a, message: _m, ...o }) => o),
    blocked,
    trips,
    cleanupRequests: countRequests(world),
  };
  return { world, gated, plan, report, executed, remaining, worldFile };
}

function workflowKey(action: GatedAction): string | null {
  if (action.action === 'run-failed-execution-cleanup') return `fec:${action.params.failoverJobId}`;
  if (action.action === 'run-replication-job-cleanup') return `rjc:${action.params.jobId}`;
  return null;
}

function countRequests(world: World): PassReport['cleanupRequests'] {
  const out: Record<string, number> = {};
  for (const r of world.database.cleanupRequests) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

async function runOne(
  deps: EngineDeps,
  options: RunPassOptions,
  item: GatedDrift,
  action: GatedAction,
  ctx: ActuatorContext,
): Promise<CompletedPass['executed'][number]> {
  const auditId = await recordIntent(deps.database.db, {
    passId: options.passId,
    driftId: item.id,
    kind: item.kind,
    action: action.action,
    subject: item.subject,
    contextId: item.contextId,
    destructive: action.destructive,
    detail: { params: action.params, evidence: item.evidence, trail: action.trail ?? [] },
    actor: deps.actor,
    leaderHost: deps.hostname,
  });
  const result = await executeAction(action, item, ctx);
  await recordOutcome(deps.database.db, auditId, result.ok ? 'success' : 'error', result.ok ? null : result.message, result.ok ? (result.undoData ?? null) : null, deps.clock());
  const log = ctx.logger.child({ driftId: item.id, action: action.action, auditId });
  if (result.ok) log.info({ detail: result.message }, 'action applied');
  else log.warn({ error: result.message }, 'action failed');
  return {
    driftId: item.id,
    kind: item.kind,
    action: action.action,
    result: result.ok ? 'success' : 'error',
    ...(result.ok ? {} : { error: result.message, terminal: result.terminal === true }),
    auditId,
    message: result.message,
  };
}
