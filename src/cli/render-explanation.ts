import type { Explanation } from '../engine/explain.js';
import type { AuditRecord } from '../engine/store/audit-log.js';

/** Human text of `explain`: facts by source, drift with each gate's verdict, recorded actions. */
export function renderExplanation(subject: string, e: Explanation | null, actions: readonly AuditRecord[]): string {
  const out: string[] = [`subject: ${subject}`];
  if (e) {
    out.push(`observed: ${e.observedAt}`, '', 'sources:');
    for (const [name, s] of Object.entries(e.sources)) {
      out.push(`  ${name}: ${s.complete ? 'complete' : `INCOMPLETE (${s.error ?? 'unknown'})`}`);
    }
    out.push('', 'facts:');
    const facts = Object.entries(e.facts).filter(([, list]) => list.length > 0);
    if (facts.length === 0) out.push('  (no source mentions it)');
    for (const [source, list] of facts) for (const f of list) out.push(`  ${source}: ${JSON.stringify(f)}`);
    out.push('', 'drift:');
    if (e.drift.length === 0) out.push('  none');
    for (const d of e.drift) {
      out.push(`  ${d.kind} (${d.class}) ${d.subject.type} ${d.subject.id}, first seen ${d.firstSeenAt ?? 'now'}`);
      for (const ev of d.evidence) out.push(`    evidence ${ev.source}: ${ev.fact}`);
      for (const a of d.actions) {
        out.push(
          `    action ${a.action}${a.destructive ? ' (destructive)' : ''}: ${a.decision}${a.blockedBy ? ` by ${a.blockedBy}: ${a.blockedReason ?? ''}` : ''}`,
        );
        for (const c of a.trail ?? []) out.push(`      gate ${c.gate}: ${c.passed ? 'pass' : 'BLOCK'} — ${c.detail}`);
      }
      if (d.note !== undefined) out.push(`    note: ${d.note}`);
    }
    if (e.hints.length > 0) out.push('', 'hints:', ...e.hints.map((h) => `  ${h}`));
  }
  out.push('', 'recorded actions:');
  if (actions.length === 0) out.push('  none');
  for (const a of actions) {
    out.push(
      `  #${a.id} ${a.createdAt} ${a.kind} ${a.action} ${a.subject.type} ${a.subject.name ?? a.subject.id} → ${a.outcome}${a.error ? `: ${a.error}` : ''}${a.reversible ? ' (undo possible)' : ''}`,
    );
  }
  return `${out.join('\n')}\n`;
}
