import { spawn } from 'node:child_process';
import { RESULT_PREFIX } from './bench-result.js';
import { compiledWorker, type Worker } from './build-bench.js';

/** Runs a compiled worker in a fresh process and returns the JSON of its `BENCH_RESULT` line. */
export function runWorker<T>(worker: Worker, args: readonly string[], nodeArgs: readonly string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, compiledWorker(worker), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        reject(
          new Error(`${worker} ${args.join(' ')} exited with ${String(code)} and no result:\n${out.slice(-2000)}`),
        );
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
    });
  });
}
