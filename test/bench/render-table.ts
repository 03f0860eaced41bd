/** Plain-text tables of the results (what `npm run bench` prints). */
import type { BenchResults } from './bench-results.js';

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const n = (v: number, digits = 2) => v.toFixed(digits);

/** The results as the terminal shows them. */
export function renderResults(r: BenchResults): string {
  const parts: string[] = [];
  parts.push(
    table(
      [
        'VMs',
        'pass s',
        'pass CPU s',
        'floor s',
        'ratio',
        'CS requests',
        'CS pages',
        'SQL',
        'peak RSS MB',
        'idle RSS MB (2 s / 15 s)',
      ],
      r.sizes.map((s) => [
        String(s.vms),
        n(s.passSeconds),
        n(s.passCpuSeconds),
        n(s.floorSeconds),
        n(s.ratio),
        String(s.cloudstackRequests),
        String(s.cloudstackPages),
        String(s.sqlStatements),
        n(s.peakRssMb, 1),
        `${s.idleRssEarlyMb === undefined ? '-' : n(s.idleRssEarlyMb, 1)} / ${n(s.idleRssMb, 1)}`,
      ]),
    ),
  );
  if (r.scaling.t50kOverT1k !== null) parts.push(`t(50k) / t(1k) = ${n(r.scaling.t50kOverT1k, 1)}`);
  if (r.repair) {
    parts.push(
      `repair: ${n(r.repair.seconds)} s against a floor of ${n(r.repair.floorSeconds)} s (ratio ${n(r.repair.ratio)})`,
    );
  }
  if (r.detect) {
    parts.push(
      `detect: conf.d p50 ${n(r.detect.confdP50Ms, 0)} ms, p95 ${n(r.detect.confdP95Ms, 0)} ms; annotation p50 ${n(r.detect.annotationP50Ms, 0)} ms, p95 ${n(r.detect.annotationP95Ms, 0)} ms`,
    );
  }
  parts.push(
    table(
      ['target', 'limit', 'measured', 'met'],
      r.targets.map((t) => [t.target, t.limit, t.measured, t.met === null ? '-' : t.met ? 'yes' : 'NO']),
    ),
  );
  return `${parts.join('\n\n')}\n`;
}
