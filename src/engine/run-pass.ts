/**
 * One reconcile pass, one way, in named steps: observe → diff → gate ({@link planPass}), record
 * (first-seen times, ledger, budget ceiling), act (one result per drift item, with what it changed
 * in NBD), apply NBD, validate (re-observe), save. Reconcilers and gates are pure; this module holds
 * the order, the I/O around them and the records.
 */
import { setMaxListeners } from 'node:events';
import { endTrackingJob, startTrackingJob } from './store/job-log.js';
import { passVolumeWriter } from './actuators/pass-volume-writer.js';
import PQueue from 'p-queue';
import { diffAll, needsByKind } from '../../reconcilers/index.js';
import { policyFromConfig } from '../../reconcilers/lib/policy-from-config.js';
import { indexWorld } from '../../reconcilers/lib/world-index.js';
import type { Mode } from '../config/config-schema.js';
import type { ActionOutcome, BlockedActionReport, PassReport, SafetyTrip } from '../reconcile/engine-port.js';
import { coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { DriftKind } from '../world/drift-kinds.js';
import { saveWorld } from '../world/world-file.js';
import type { World } from '../world/world.js';
import type { ActuatorContext } from './actuators/actuator-context.js';
import { executeAction } from './actuators/execute-action.js';
import type { EngineDeps, EnginePassOptions } from './engine-deps.js';
import { applyGates } from './gates/apply-gates.js';
import { gateContextFromConfig } from './gates/gate-context.js';
import { ledgerObservations } from './ledger.js';
import { observeWorld } from './observe-world.js';
import { quarantineSummary } from './quarantine-summary.js';
import { toPlanJson } from './plan-json.js';
import { closeAbandonedIntents, recordIntent, recordOutcome } from './store/audit-log.js';
import { recordDriftSeen } from './store/drift-tracker.js';
import { saveInventory } from './store/inventory-store.js';
import { recordLedger } from './store/ledger-store.js';
import { MODE_CEILING_KEY } from './store/pass-records.js';
import { writeState } from './store/state-store.js';
import { workflowKey } from './workflow-key.js';
import type { GatedAction, GatedDrift, PlanJson } from '../reconcile/types.js';

/** Engines (per process) that already closed the intents an earlier crash left pending. */
const abandonedClosed = new WeakSet<EngineDeps>();

/** Everything one pass produced. */
export interface CompletedPass {
  readonly world: World;
  readonly gated: readonly GatedDrift[];
  readonly plan: PlanJson;
  readonly report: PassReport;
  /** Per executed action: the audit id and message (for `apply`'s output). */
  readonly executed: readonly ExecutedAction[];
  /** Drift ids acted on that are still present after re-observation (validation phase). */
  readonly remaining: readonly string[];
  readonly worldFile: string | null;
}

/**
 * The world with its pass context (destructive counts of the last hour, mode ceiling), which
 * observation reads with the inventory baseline; a pass without them could overrun the budget.
 */
function withPassContext(world: World): World {
  if (world.passContext === undefined) {
    throw new Error(
      `database unavailable, no pass without the reconciler's own records (budget counts): ${world.sources.database.error ?? 'unknown cause'}`,
    );
  }
  return world;
}

/** What observe → diff → gate produced: the plan of a pass, before anything is recorded or done. */
export interface PassPlan {
  readonly world: World;
  readonly gated: readonly GatedDrift[];
  /** Safety rails that tripped, and why. */
  readonly trips: SafetyTrip[];
  readonly tripDetail: Partial<Record<SafetyTrip, string>>;
  /** The mode in force (a tripped rail or the stored ceiling may lower the configured one). */
  readonly mode: Mode;
  /** The world's own time: the time the plan was gated at. */
  readonly now: Date;
}

/** One executed (or dry-run) action, with its audit id and message (for `apply`'s output). */
export type ExecutedAction = ActionOutcome & { readonly auditId: string | null; readonly message: string };

/** What the act step did for one drift item. */
export interface ItemResult {
  readonly driftId: string;
  /** Actions executed or recorded as dry runs, in the item's order. */
  readonly executed: readonly ExecutedAction[];
  /** Actions a gate held back in the plan. */
  readonly blocked: readonly BlockedActionReport[];
  /** Runnable actions not started because the fence failed (leadership lost, or stopping). */
  readonly stopped: readonly BlockedActionReport[];
  /** True when at least one action was executed (the item is validated after the pass). */
  readonly acted: boolean;
  /** What the item's actions changed in NBD: staged export changes the pass must apply. */
  readonly nbd: { readonly changed: boolean; readonly allowRestart: boolean };
}

/** Observes (or takes the replayed world), diffs and gates: the plan, with no side effect. */
export async function planPass(deps: EngineDeps, options: EnginePassOptions): Promise<PassPlan> {
  const replay = options.world !== undefined;
  const observed = options.world ?? (await observeWorld(deps.observe, options.signal));
  // The world's own time, live or replayed: a saved world then replays to the very same plan.
  const now = new Date(observed.observedAt);
  const world = replay ? observed : withPassContext(observed);
  const policy = policyFromConfig(deps.config);
  // The world's lookup tables, built once and handed to every reconciler and gate.
  const index = indexWorld(world);
  const items = diffAll(world, policy, now, options.only, index);
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
  const { drift, tripped } = applyGates(items, world, gateCtx, index);
  const trips: SafetyTrip[] = [];
  if (tripped.sanity !== undefined) trips.push('sanity');
  if (tripped.budget !== undefined) trips.push('budget');
  const effective: Mode =
    tripped.sanity !== undefined
      ? 'observe'
      : ceiling === 'observe' || (ceiling === 'dry-run' && mode === 'enforce')
        ? ceiling
        : mode;
  return { world, gated: drift, trips, tripDetail: tripped, mode: effective, now };
}

function evaluatedKinds(world: World): Set<DriftKind> {
  const needs = needsByKind();
  return new Set((Object.keys(needs) as DriftKind[]).filter((k) => needs[k].every((s) => world.sources[s].complete)));
}

/** Listeners a pass's abort signal may carry at once before Node warns (requests in flight). */
const PASS_SIGNAL_LISTENERS = 64;

/** Runs a whole pass. Never throws for a failing action; throws only when the database itself fails. */
export async function runPass(deps: EngineDeps, options: EnginePassOptions): Promise<CompletedPass> {
  // Each request in flight listens on the pass's signal until it ends; a pass acting on many objects
  // has more than Node's default 10 at once, which is no leak (the repair benchmark warned of 11).
  setMaxListeners(PASS_SIGNAL_LISTENERS, options.signal);
  const log = deps.logger.child({ passId: options.passId });
  const planned = await planPass(deps, options);
  const { world, gated, trips } = planned;
  const replay = options.world !== undefined;
  if (!replay) await recordStep(deps, options, planned, log);
  const results = await actStep(deps, options, planned, log);
  await applyNbdStep(deps, options, results, log);
  const acted = results.filter((r) => r.acted).map((r) => r.driftId);
  const remaining = acted.length > 0 ? await validateStep(deps, options, acted) : [];
  const now = planned.now;
  if (!replay && trips.length === 0 && Object.values(world.sources).every((s) => s.complete)) {
    await saveInventory(deps.database.db, world.sources, now, world.previousInventory);
  }
  const worldFile =
    !replay && (acted.length > 0 || options.saveWorld === true)
      ? await saveWorld(deps.config.stateDir, world).catch(() => null)
      : null;
  const plan = toPlanJson(world, gated, planned.mode, options.only);
  // Dry runs first (in item order), then the executed actions (in item order), as the report always listed them.
  const executed = [
    ...results.flatMap((r) => r.executed.filter((e) => e.result === 'dry_run')),
    ...results.flatMap((r) => r.executed.filter((e) => e.result !== 'dry_run')),
  ];
  const blocked = [...results.flatMap((r) => r.blocked), ...results.flatMap((r) => r.stopped)];
  const report: PassReport = {
    observedAt: world.observedAt,
    mode: planned.mode,
    sources: plan.sources,
    drift: plan.drift.map((d) => ({ id: d.id, kind: d.kind, class: d.class, firstSeenAt: d.firstSeenAt })),
    actions: executed.map(({ auditId: _a, message: _m, ...o }) => o),
    blocked,
    trips,
    cleanupRequests: countRequests(world),
    quarantine: quarantineSummary(world, deps.config.quarantineTtlSeconds),
    pendingNbdChanges: world.nbd.pending.length,
  };
  return { world, gated, plan, report, executed, remaining, worldFile };
}
/** Record: the ledger, first-seen times (at the time the plan was gated at, so the plan shows them) and a tripped budget's ceiling. */
async function recordStep(deps: EngineDeps, options: EnginePassOptions, planned: PassPlan, log: Logger): Promise<void> {
  const { world, gated, now } = planned;
  await recordLedger(deps.database.db, world.database.ledger, ledgerObservations(world.database), now);
  await recordDriftSeen(deps.database.db, gated, world.database.driftFirstSeen, evaluatedKinds(world), now);
  if (planned.tripDetail.budget !== undefined && options.act) {
    await writeState(deps.database.db, MODE_CEILING_KEY, {
      mode: 'dry-run',
      reason: planned.tripDetail.budget,
      at: now.toISOString(),
    });
    log.warn({ reason: planned.tripDetail.budget }, 'budget tripped: dry-run until an operator resets it');
  }
  if (planned.tripDetail.sanity !== undefined) {
    log.warn(
      { reason: planned.tripDetail.sanity },
      'sanity gate tripped: no destructive action and no mass rewrite this pass',
    );
  }
}

/** The actuators' context of this pass, or null when nothing runs (plan only, replay, nothing runnable). */
async function actuatorContext(
  deps: EngineDeps,
  options: EnginePassOptions,
  planned: PassPlan,
  log: Logger,
): Promise<Omit<ActuatorContext, 'nbdTouched'> | null> {
  if (
    !options.act ||
    options.world !== undefined ||
    !planned.gated.some((d) => d.actions.some((a) => a.decision === 'run'))
  ) {
    return null;
  }
  const cs = await deps.cloudstack().catch(() => null);
  const volumes = await passVolumeWriter(
    deps,
    cs,
    cs?.omaVmId ?? planned.world.omaVmId,
    options.signal,
    log,
    options.graceOverride ?? deps.config.thresholds.volumeOperationSettleSeconds,
  );
  return {
    ...volumes,
    db: deps.database.db,
    cloudstack: cs?.client ?? null,
    omaVmId: cs?.omaVmId ?? planned.world.omaVmId,
    nbd: deps.nbd,
    clock: deps.clock,
    signal: options.signal,
    logger: log,
    nbdPort: deps.config.nbd.address.port,
    nbdConfDir: deps.config.nbd.confDir,
    deviceByIdDir: deps.config.deviceByIdDir,
    quarantineTtlSeconds: deps.config.quarantineTtlSeconds,
    workflows: deps.workflows,
  };
}

/**
 * Act: runs each item's runnable actions behind the fence (items in parallel up to the CloudStack
 * concurrency, an item's actions in order) and returns one result per item, with what it changed
 * in NBD. A workflow two items ask for runs once; once the fence fails, nothing more starts.
 */
async function actStep(
  deps: EngineDeps,
  options: EnginePassOptions,
  planned: PassPlan,
  log: Logger,
): Promise<ItemResult[]> {
  if (options.act && options.world === undefined && !abandonedClosed.has(deps)) {
    // Intents a crash left pending (before this process led) are closed before anything new runs.
    abandonedClosed.add(deps);
    const closed = await closeAbandonedIntents(deps.database.db, options.passId, planned.now);
    if (closed > 0) log.warn({ closed }, 'closed audit intents a crash left pending as abandoned');
  }
  const base = await actuatorContext(deps, options, planned, log);
  const seenWorkflows = new Set<string>();
  let fenceLost = false;
  const queue = new PQueue({ concurrency: deps.config.cloudstack.concurrency });
  const actOn = async (item: GatedDrift, runnable: readonly GatedAction[]): Promise<ItemResult> => {
    const executed: ExecutedAction[] = [];
    const stopped: BlockedActionReport[] = [];
    const nbd = { value: false, allowRestart: false };
    if (base && runnable.length > 0 && (!options.backoff || options.backoff.mayRetry(item.id))) {
      const ctx: ActuatorContext = { ...base, nbdTouched: nbd };
      for (const action of runnable) {
        const wf = workflowKey(action);
        if (wf !== null) {
          if (seenWorkflows.has(wf)) continue;
          seenWorkflows.add(wf);
        }
        if (fenceLost || options.signal.aborted || !(await options.fence())) {
          fenceLost = true;
          stopped.push({ driftId: item.id, kind: item.kind, action: action.action, gate: 'not-leader' });
          continue;
        }
        executed.push(await runOne(deps, options, item, action, ctx));
      }
    }
    return {
      driftId: item.id,
      executed,
      blocked: [],
      stopped,
      acted: executed.length > 0,
      nbd: { changed: nbd.value, allowRestart: nbd.allowRestart },
    };
  };
  const results = planned.gated.map(async (item): Promise<ItemResult> => {
    const dryRuns: ExecutedAction[] = [];
    const blocked: BlockedActionReport[] = [];
    for (const a of item.actions) {
      if (a.decision !== 'blocked') continue;
      if (a.dryRun === true) {
        dryRuns.push({
          driftId: item.id,
          kind: item.kind,
          action: a.action,
          result: 'dry_run',
          auditId: null,
          message: 'dry run',
        });
      } else if (a.blockedBy !== null) {
        blocked.push({ driftId: item.id, kind: item.kind, action: a.action, gate: a.blockedBy });
      }
    }
    const runnable = item.actions.filter((a) => a.decision === 'run');
    const done = runnable.length > 0 && base ? await queue.add(() => actOn(item, runnable)) : await actOn(item, []);
    return { ...done, executed: [...dryRuns, ...done.executed], blocked };
  });
  return Promise.all(results);
}

/** Apply NBD: one `applyPending` for every export change the act step staged, behind the fence. */
async function applyNbdStep(
  deps: EngineDeps,
  options: EnginePassOptions,
  results: readonly ItemResult[],
  log: Logger,
): Promise<void> {
  if (!results.some((r) => r.nbd.changed) || results.some((r) => r.stopped.length > 0) || !(await options.fence())) {
    return;
  }
  const applied = await deps.nbd
    .applyPending({ allowRestart: true })
    .catch((e: unknown) => ({ action: 'failed', reason: coerceError(e).message }));
  log.info({ nbdAction: applied.action, reason: applied.reason }, 'nbd changes applied');
}

/** Validate: re-observe and report which acted-on drift is still there. */
async function validateStep(deps: EngineDeps, options: EnginePassOptions, acted: readonly string[]): Promise<string[]> {
  const { world: _replayed, ...live } = options;
  const after = await planPass(deps, { ...live, act: false });
  const still = new Set(after.gated.map((d) => d.id));
  return acted.filter((id) => still.has(id));
}

function countRequests(world: World): PassReport['cleanupRequests'] {
  const out: Record<string, number> = {};
  for (const r of world.database.cleanupRequests) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

async function runOne(
  deps: EngineDeps,
  options: EnginePassOptions,
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
  // The OMA's job views show each action of ours as a short cleanup job, running while it runs, so the
  // appliance sees us in flight; the workflows keep their own tracking job with its steps.
  const trackingId =
    workflowKey(action) !== null
      ? null
      : await startTrackingJob(
          deps.database.db,
          {
            operation: `oma-reconciler-${action.action}`,
            externalJobId: `oma-reconciler-${action.action}-${auditId}`,
            contextId: item.contextId,
            metadata: { auditId, driftId: item.id, subject: item.subject },
          },
          deps.clock(),
        );
  const result = await executeAction(action, item, ctx);
  if (trackingId !== null) {
    await endTrackingJob(
      deps.database.db,
      trackingId,
      { status: result.ok ? 'completed' : 'failed', error: result.ok ? null : result.message, percent: 100 },
      deps.clock(),
    );
  }
  await recordOutcome(
    deps.database.db,
    auditId,
    result.ok ? 'success' : 'error',
    result.ok ? null : result.message,
    result.ok ? (result.undoData ?? null) : null,
    deps.clock(),
  );
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
