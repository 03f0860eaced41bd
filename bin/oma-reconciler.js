#!/usr/bin/env node
// Development entry point: runs the compiled CLI when it exists (npm run build), otherwise the
// TypeScript sources through tsx, so that `npx oma-reconciler` works straight from a checkout.
// Releases ship the single executable built by `npm run build:binary` instead (packaging/).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/bin.ts', import.meta.url).href);
}
