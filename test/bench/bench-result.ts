/** Workers print one line `BENCH_RESULT <json>` on stdout; the runner parses it. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/** Prints a worker's result line. */
export function printResult(result: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}
