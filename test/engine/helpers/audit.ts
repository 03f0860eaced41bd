/**
 * The audit log as tests read it. An intent row is written before every executed action, so a
 * destructive row here means a destructive action was attempted, whatever its outcome.
 */
import { parseJsonColumn } from '../../../src/db/queries/json-column.js';
import type { CompletedPass } from '../../../src/engine/run-pass.js';
import type { Harness } from './appliance-harness.js';

/** One audit record, reduced to what tests compare. */
export interface AuditEntry {
  readonly id: string;
  readonly kind: string;
  readonly action: string;
  readonly subjectId: string;
  readonly outcome: string;
  readonly destructive: boolean;
  readonly reversible: boolean;
}

/** Every audit record, oldest first. */
export async function auditEntries(h: Harness): Promise<AuditEntry[]> {
  const rows = await h.db.db.selectFrom('oma_reconciler_actions').selectAll().orderBy('id').execute();
  return rows.map((r) => {
    const intent = parseJsonColumn(r.intent) as { destructive?: unknown } | null;
    return {
      id: r.id,
      kind: r.kind,
      action: r.action,
      subjectId: r.subject_id,
      outcome: r.outcome,
      destructive: intent?.destructive === true,
      reversible: r.reversible === 1,
    };
  });
}

/** Audit records of destructive actions (any outcome). */
export async function destructiveAttempts(h: Harness): Promise<AuditEntry[]> {
  return (await auditEntries(h)).filter((e) => e.destructive);
}

/** `kind action → result` of every action the passes executed, sorted (actions of a pass run concurrently). */
export function executedActions(passes: readonly CompletedPass[]): string[] {
  return passes
    .flatMap((p) => p.executed.map((e) => `${e.kind} ${e.action} → ${e.result}${e.error ? ` (${e.error})` : ''}`))
    .sort();
}

/** The gated actions of one drift kind in a plan, as `action: decision/blockedBy`. */
export function decisionsOf(gated: CompletedPass['gated'], kind: string): string[] {
  return gated
    .filter((d) => d.kind === kind)
    .flatMap((d) =>
      d.actions.map((a) => `${a.action}: ${a.decision === 'run' ? 'run' : `blocked by ${a.blockedBy ?? '?'}`}`),
    );
}
