/**
 * Compiles the benchmark's workers (and through their imports, the product code they run) with the
 * project's own TypeScript into `test/bench/.build/`, so the measured processes run plain
 * JavaScript as production does (`dist/`), without tsx's loader thread (~60 MB of RSS, and CPU).
 * Type checking is left to `npm run typecheck`; this only emits.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The workers run.ts starts. */
export const WORKERS = ['size-worker', 'appliance-host', 'floor-worker', 'repair-worker', 'detect-worker'] as const;
export type Worker = (typeof WORKERS)[number];

const buildDir = fileURLToPath(new URL('./.build/', import.meta.url));

/** Path of a compiled worker. */
export function compiledWorker(worker: Worker): string {
  return `${buildDir}test/bench/${worker}.js`;
}

/** Emits the compiled workers; rejects with tsc's output when it fails. */
export async function buildBench(): Promise<void> {
  await mkdir(buildDir, { recursive: true });
  const tsconfig = {
    extends: '../../../tsconfig.json',
    compilerOptions: { noEmit: false, noCheck: true, outDir: '.', rootDir: '../../..', sourceMap: false },
    include: [],
    files: WORKERS.map((w) => `../${w}.ts`),
  };
  await writeFile(`${buildDir}tsconfig.json`, `${JSON.stringify(tsconfig, null, 2)}\n`);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [tsc, '-p', `${buildDir}tsconfig.json`],
      { maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`compiling the benchmark failed:\n${stdout}${stderr}`));
        else resolve();
      },
    );
  });
}
