/** The shape of `results/latest.json` and the target checks printed under the table. */
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { MAX_ABSENCE_LOOKUPS } from '../../src/cloudstack/confirm-absence.js';

/** One fleet size (size-worker's result; extra fields are diagnostics). */
export interface SizeResult {
  readonly vms: number;
  readonly passSeconds: number;
  readonly passCpuSeconds: number;
  readonly floorSeconds: number;
  readonly floorCpuSeconds: number;
  readonly ratio: number;
  readonly cloudstackRequests: number;
  readonly cloudstackPages: number;
  /** Lookups by id of objects the database expects and a listing lacked (each confirms an absence). */
  readonly cloudstackAbsenceLookups: number;
  readonly sqlStatements: number;
  readonly peakRssMb: number;
  /**
   * RSS 15 s after the last pass's heap release, its result still held as the engine holds it: the
   * daemon between passes (a minute apart), once V8's memory reducer has run.
   */
  readonly idleRssMb: number;
  /** The same 2 s after the release, before the memory reducer. */
  readonly idleRssEarlyMb?: number;
  readonly [extra: string]: unknown;
}

export interface RepairResult {
  readonly seconds: number;
  readonly floorSeconds: number;
  readonly ratio: number;
  readonly [extra: string]: unknown;
}

export interface DetectResult {
  readonly confdP50Ms: number;
  readonly confdP95Ms: number;
  readonly annotationP50Ms: number;
  readonly annotationP95Ms: number;
  readonly [extra: string]: unknown;
}

/** One target of issue 9 with its measured value. */
export interface TargetCheck {
  readonly target: string;
  readonly limit: string;
  readonly measured: string;
  readonly met: boolean | null;
}

export interface BenchResults {
  readonly machine: Readonly<Record<string, unknown>>;
  readonly quick: boolean;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly sizes: readonly SizeResult[];
  readonly scaling: { readonly t50kOverT1k: number | null };
  readonly repair: RepairResult | null;
  readonly detect: DetectResult | null;
  readonly targets: readonly TargetCheck[];
}

/** What the results say about the machine they were measured on (load averages show contention). */
export function machineInfo(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    freeMemoryGbAtStart: Math.round(freemem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${release()}`,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

const bySize = (sizes: readonly SizeResult[], vms: number) => sizes.find((s) => s.vms === vms);

/** Checks every target the run measured; `met` is null when the run did not measure it. */
export function checkTargets(
  sizes: readonly SizeResult[],
  scaling: BenchResults['scaling'],
  repair: RepairResult | null,
  detect: DetectResult | null,
): TargetCheck[] {
  const out: TargetCheck[] = [];
  const add = (target: string, limit: string, value: number | null | undefined, max: number, unit = ''): void => {
    out.push({
      target,
      limit,
      measured: value === null || value === undefined ? 'not measured' : `${value}${unit}`,
      met: value === null || value === undefined ? null : value <= max,
    });
  };
  add('pass/floor ratio at 10,000 VMs', '≤ 1.15', bySize(sizes, 10_000)?.ratio, 1.15);
  add('pass/floor ratio at 50,000 VMs', '≤ 1.2', bySize(sizes, 50_000)?.ratio, 1.2);
  add('t(50k) / t(1k)', '≤ 55', scaling.t50kOverT1k, 55);
  for (const s of sizes) {
    out.push({
      target: `CloudStack requests per pass at ${s.vms} VMs`,
      limit: `= pages (${s.cloudstackPages}) + absence lookups (${s.cloudstackAbsenceLookups})`,
      measured: String(s.cloudstackRequests),
      met:
        s.cloudstackRequests === s.cloudstackPages + s.cloudstackAbsenceLookups &&
        s.cloudstackAbsenceLookups <= MAX_ABSENCE_LOOKUPS,
    });
    add(`SQL statements per pass at ${s.vms} VMs`, '≤ 20', s.sqlStatements, 20);
  }
  add('peak RSS at 10,000 VMs', '≤ 200 MB', bySize(sizes, 10_000)?.peakRssMb, 200, ' MB');
  add('peak RSS at 50,000 VMs', '≤ 512 MB', bySize(sizes, 50_000)?.peakRssMb, 512, ' MB');
  add('idle RSS between passes at 1,000 VMs (15 s after)', '≤ 120 MB', bySize(sizes, 1_000)?.idleRssMb, 120, ' MB');
  add('repair ratio to its floor', '≤ 1.2', repair?.ratio, 1.2);
  add('conf.d detection p95', '≤ 1000 ms', detect?.confdP95Ms, 1000, ' ms');
  add('annotation detection p95', '≤ 2000 ms', detect?.annotationP95Ms, 2000, ' ms');
  return out;
}
