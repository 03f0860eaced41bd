import { readFileSync } from 'node:fs';

const UNIT = new URL('../../systemd/oma-reconciler.service', import.meta.url);

/**
 * The Node options the shipped systemd unit runs the daemon with (`Environment=NODE_OPTIONS=…`),
 * so the benchmark measures the reconciler's process as it is deployed: heap sizing changes both
 * its peak RSS and its garbage-collection time.
 */
export function deployedNodeOptions(unitFile: URL | string = UNIT): string[] {
  // `Environment=NODE_OPTIONS=…` or, with several options, `Environment="NODE_OPTIONS=… …"`.
  const assignment = readFileSync(unitFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Environment='))
    .map((l) => l.slice('Environment='.length).replace(/^"(.*)"$/, '$1'))
    .find((a) => a.startsWith('NODE_OPTIONS='));
  if (assignment === undefined) return [];
  return assignment
    .slice('NODE_OPTIONS='.length)
    .split(/\s+/)
    .filter((o) => o !== '');
}
