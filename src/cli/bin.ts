/**
 * The process entry of the CLI: the script Node runs (bin/oma-reconciler.js, `npm run demo`) and
 * the entry of the release bundle (a single CommonJS script inside the executable). No top-level
 * await and no `import.meta`, so the same module bundles to CommonJS.
 */
import { runCli } from './main.js';

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`oma-reconciler: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
