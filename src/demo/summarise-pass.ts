import type { PassReport } from '../reconcile/engine-port.js';

/** One line per pass for the demo, and how much drift still has a runnable repair ahead. */
export function summarisePass(report: PassReport, _loop: unknown): { text: string; toRepair: number } {
  const done = report.actions.filter((a) => a.result === 'success');
  const failed = report.actions.filter((a) => a.result === 'error');
  const byGate = new Map<string, number>();
  for (const b of report.blocked) byGate.set(b.gate, (byGate.get(b.gate) ?? 0) + 1);
  // Drift still waiting for something other than a human: grace, quarantine TTL, a retry.
  const dryRun = report.actions.filter((a) => a.result === 'dry_run');
  // A quarantined volume waits for its TTL (or the page's "Delete now"), not for the demo: settled.
  const quarantined = (b: PassReport['blocked'][number]): boolean => b.action === 'delete-volume' && b.gate === 'grace';
  const waiting =
    report.blocked.filter((b) => (b.gate === 'grace' && !quarantined(b)) || b.gate === 'budget').length +
    failed.length +
    dryRun.length;
  const blocked = [...byGate].map(([g, n]) => `${n} ${g}`).join(', ');
  const text =
    `${report.observedAt.slice(11, 19)} drift: ${report.drift.length}` +
    (done.length ? ` | repaired ${done.length}: ${done.map((a) => a.action).join(', ')}` : '') +
    (failed.length
      ? ` | failed ${failed.length}: ${failed.map((a) => `${a.action} (${a.error ?? ''})`).join(', ')}`
      : '') +
    (dryRun.length ? ` | dry run: ${dryRun.length}` : '') +
    (blocked ? ` | held: ${blocked}` : '');
  return { text, toRepair: waiting + done.length };
}
