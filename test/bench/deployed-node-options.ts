import { readFileSync } from 'node:fs';

const UNIT = new URL('../../systemd/oma-reconciler.service', import.meta.url);

/**
 * The Node options the shipped systemd unit runs the daemon with (`Environment=NODE_OPTIONS=…`),
 * so the benchmark measures the reconciler's process as it is deployed: heap sizing changes both
 * its peak RSS and its garbage-collection time.
 */
export function deployedNodeOptions(unitFile: URL | string = UNIT): string[] {
  const line = readFileSync(unitFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Environment=NODE_OPTIONS='));
  if (line === undefined) return [];
  return line
    .slice('Environment=NODE_OPTIONS='.length)
    .replace(/^"|"$/g, '')
    .split(/\s+/)
    .filter((o) => o !== '');
}
