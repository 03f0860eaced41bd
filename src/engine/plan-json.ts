/**
 * The plan of the operator contract (`plan --output json`, `GET /api/v1/plan`) built from gated
 * drift, its zod schema (the contract shape, strict: tests validate against it), and the human table
 * `plan` prints on a terminal.
 */
import { z } from 'zod';
import { MODES, type Mode } from '../config/config-schema.js';
import { DRIFT_CLASSES, DRIFT_KINDS, GATES, SOURCES } from '../world/drift-kinds.js';
import type { DriftKind } from '../world/drift-kinds.js';
import type { World } from '../world/world.js';
import { SUBJECT_TYPES, type GatedDrift, type PlanJson } from '../reconcile/types.js';
import { ACTION_VERBS } from '../reconcile/types.js';
import { incompleteNeededSources } from './needed-sources.js';

const isoTime = z.iso.datetime({ offset: true });
const sourceStatus = z.strictObject({ complete: z.boolean(), error: z.string().optional() });

/** The contract shape of the plan JSON, exactly (unknown keys are errors). */
export const planJsonSchema = z.strictObject({
  observedAt: isoTime,
  mode: z.enum(MODES),
  sources: z.strictObject(
    Object.fromEntries(SOURCES.map((s) => [s, sourceStatus])) as Record<(typeof SOURCES)[number], typeof sourceStatus>,
  ),
  drift: z.array(
    z.strictObject({
      id: z.string().min(1),
      kind: z.enum(DRIFT_KINDS),
      class: z.enum(DRIFT_CLASSES),
      subject: z.strictObject({ type: z.enum(SUBJECT_TYPES), id: z.string().min(1), name: z.string().nullable() }),
      firstSeenAt: isoTime.nullable(),
      evidence: z.array(z.strictObject({ source: z.enum([...SOURCES, 'ledger']), fact: z.string() })),
      actions: z.array(
        z.strictObject({
          action: z.enum(ACTION_VERBS),
          destructive: z.boolean(),
          decision: z.enum(['run', 'blocked']),
          blockedBy: z.enum(GATES).nullable(),
        }),
      ),
      note: z.string().optional(),
    }),
  ),
  summary: z.strictObject({
    drift: z.number().int().min(0),
    actionsToRun: z.number().int().min(0),
    actionsBlocked: z.number().int().min(0),
    /** False when a source the evaluated kinds need was read incompletely: the drift list is partial. */
    complete: z.boolean(),
  }),
});

/**
 * Builds the plan JSON of one pass (the mode is the one in force for the pass); `only` = the kinds
 * evaluated, whose needed sources decide `summary.complete`.
 */
export function toPlanJson(
  world: World,
  gated: readonly GatedDrift[],
  mode: Mode,
  only?: readonly DriftKind[],
): PlanJson {
  const sources = Object.fromEntries(
    SOURCES.map((s) => {
      const { complete, error } = world.sources[s];
      return [s, error !== undefined && !complete ? { complete, error } : { complete }];
    }),
  ) as PlanJson['sources'];
  let actionsToRun = 0;
  let actionsBlocked = 0;
  const drift = gated.map((d) => {
    const actions = d.actions.map((a) => {
      if (a.decision === 'run') actionsToRun += 1;
      else actionsBlocked += 1;
      return { action: a.action, destructive: a.destructive, decision: a.decision, blockedBy: a.blockedBy };
    });
    const entry = {
      id: d.id,
      kind: d.kind,
      class: d.class,
      subject: d.subject,
      firstSeenAt: d.firstSeenAt,
      evidence: d.evidence,
      actions,
    };
    return d.note !== undefined ? { ...entry, note: d.note } : entry;
  });
  return {
    observedAt: world.observedAt,
    mode,
    sources,
    drift,
    summary: {
      drift: drift.length,
      actionsToRun,
      actionsBlocked,
      complete: incompleteNeededSources(world, only).length === 0,
    },
  };
}

function pad(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * The human table: one line per action (a drift item without actions gets a `report` line), with
 * its decision or the gate that blocked it, then the incomplete sources and a summary ending in
 * `drift: N`.
 */
export function renderPlanTable(plan: PlanJson): string {
  const rows: string[][] = [['KIND', 'SUBJECT', 'ACTION', 'DECISION']];
  for (const d of plan.drift) {
    const subject = `${d.subject.type} ${d.subject.id}${d.subject.name && d.subject.name !== d.subject.id ? ` (${d.subject.name})` : ''}`;
    if (d.actions.length === 0) rows.push([d.kind, subject, '-', 'report']);
    for (const a of d.actions) {
      rows.push([
        d.kind,
        subject,
        `${a.action}${a.destructive ? '!' : ''}`,
        a.decision === 'run' ? 'run' : `blocked: ${a.blockedBy ?? '?'}`,
      ]);
    }
  }
  const incomplete = SOURCES.filter((s) => !plan.sources[s].complete).map(
    (s) => `${s}${plan.sources[s].error ? ` (${plan.sources[s].error ?? ''})` : ''}`,
  );
  const lines = plan.drift.length > 0 ? pad(rows) : ['no drift'];
  if (incomplete.length > 0) lines.push(`incomplete sources: ${incomplete.join(', ')}`);
  if (!plan.summary.complete) {
    lines.push(
      'PARTIAL plan: a source the evaluated kinds need is incomplete, so drift that depends on it could not be seen',
    );
  }
  lines.push(
    `mode ${plan.mode}, observed ${plan.observedAt}; actions to run: ${plan.summary.actionsToRun}, blocked: ${plan.summary.actionsBlocked} ` +
      `(! = destructive); drift: ${plan.summary.drift}`,
  );
  return `${lines.join('\n')}\n`;
}
