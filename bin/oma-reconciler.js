#!/usr/bin/env node
// Entry point: runs the compiled CLI when it exists (npm run build, Docker), otherwise the
// TypeScript sources through tsx so that `npx oma-reconciler` works straight from a checkout.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
