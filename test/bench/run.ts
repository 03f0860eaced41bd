/**
 * `npm run bench [-- --quick]`: the benchmark of issue 9. Compiles the workers, then measures each
 * fleet size (1,000, 10,000 and 50,000 VMs; `--quick`: 1,000 only, 20 detection trials instead of
 * 50) in a fresh process, repair throughput and time to detect, prints the tables and writes
 * `results/latest.json` (`results/quick.json` in quick mode, so a quick run never replaces the
 * committed full results).
 *
 * Options: --quick, --sizes 1000,10000, --runs N (passes per size), --trials N (detection trials),
 * --no-repair, --no-detect, --profile (CPU profiles of the size workers under results/profiles/),
 * --out FILE.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  checkTargets,
  machineInfo,
  type BenchResults,
  type DetectResult,
  type RepairResult,
  type SizeResult,
} from './bench-results.js';
import { buildBench } from './build-bench.js';
import { deployedNodeOptions } from './deployed-node-options.js';
import { renderResults } from './render-table.js';
import { runWorker } from './run-worker.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    sizes: { type: 'string' },
    runs: { type: 'string' },
    trials: { type: 'string' },
    'no-repair': { type: 'boolean' },
    'no-detect': { type: 'boolean' },
    profile: { type: 'boolean' },
    out: { type: 'string' },
  },
});
const quick = values.quick === true;
const sizes = (values.sizes ?? (quick ? '1000' : '1000,10000,50000')).split(',').map(Number);
const results = fileURLToPath(new URL('./results/', import.meta.url));
const out = values.out ?? `${results}${quick ? 'quick' : 'latest'}.json`;
const runsFor = (vms: number): number => Number(values.runs ?? (vms >= 50_000 ? 2 : vms >= 10_000 ? 5 : 7));
const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

const started = Date.now();
const machine = machineInfo();
log('compiling the workers');
await buildBench();
const sizeResults: SizeResult[] = [];
for (const vms of sizes) {
  log(`${vms} VMs: building the appliance and measuring ${runsFor(vms)} passes`);
  // The reconciler runs with the node options of the shipped unit (heap size), as deployed.
  const nodeArgs = [
    ...deployedNodeOptions(),
    ...(values.profile === true
      ? ['--cpu-prof', '--cpu-prof-dir', `${results}profiles`, '--cpu-prof-name', `size-${vms}.cpuprofile`]
      : []),
  ];
  const r = await runWorker<SizeResult>(
    'size-worker',
    ['--vms', String(vms), '--runs', String(runsFor(vms))],
    nodeArgs,
  );
  log(`${vms} VMs: pass ${r.passSeconds} s, floor ${r.floorSeconds} s, ratio ${r.ratio}, peak RSS ${r.peakRssMb} MB`);
  sizeResults.push(r);
}
let repair: RepairResult | null = null;
if (values['no-repair'] !== true) {
  log('repair: 2,000 orphan snapshot deletions, 250 ms jobs');
  repair = await runWorker<RepairResult>('repair-worker', ['--snapshots', '2000']);
  log(`repair: ${repair.seconds} s, floor ${repair.floorSeconds} s, ratio ${repair.ratio}`);
}
let detect: DetectResult | null = null;
if (values['no-detect'] !== true) {
  const trials = values.trials ?? (quick ? '20' : '50');
  log(`detect: ${trials} conf.d and ${trials} annotation trials`);
  detect = await runWorker<DetectResult>('detect-worker', ['--trials', trials]);
}
const t1k = sizeResults.find((s) => s.vms === 1000)?.passSeconds;
const t50k = sizeResults.find((s) => s.vms === 50_000)?.passSeconds;
const scaling = { t50kOverT1k: t1k !== undefined && t50k !== undefined ? Math.round((t50k / t1k) * 10) / 10 : null };
const report: BenchResults = {
  machine: { ...machine, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
  quick,
  startedAt: new Date(started).toISOString(),
  durationSeconds: Math.round((Date.now() - started) / 1000),
  sizes: sizeResults,
  scaling,
  repair,
  detect,
  targets: checkTargets(sizeResults, scaling, repair, detect),
};
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(renderResults(report));
log(`written to ${out} in ${report.durationSeconds} s`);
