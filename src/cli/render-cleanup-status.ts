import type { CleanupRequestView } from '../engine/store/cleanup-requests.js';

/** `cleanup status JOB_ID` as a table: the request's fields, then its workflow steps. */
export function renderCleanupStatus(r: CleanupRequestView): string {
  const fields: [string, string][] = [
    ['job', `${r.job_id} (${r.job_kind})`],
    ['status', r.status],
    ['message', r.message ?? ''],
    ['vm', r.vm_name ?? ''],
    ['context', r.context_id ?? ''],
    ['requested by', r.requested_by ?? ''],
    ['keep volumes', r.keep_volumes ? 'yes' : 'no'],
    ['tracking job', r.tracking_job_id ?? ''],
    ['requested at', r.created_at],
    ['updated at', r.updated_at],
  ];
  const width = Math.max(...fields.map(([k]) => k.length));
  const lines = fields.filter(([, v]) => v !== '').map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (r.steps.length > 0) {
    const nameWidth = Math.max(4, ...r.steps.map((s) => s.name.length));
    lines.push('', `${'#'.padStart(3)}  ${'step'.padEnd(nameWidth)}  status`);
    r.steps.forEach((s, i) => {
      lines.push(
        `${String(i + 1).padStart(3)}  ${s.name.padEnd(nameWidth)}  ${s.status}${s.error ? `  ${s.error}` : ''}`,
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
