import { packageVersion } from './start-reconciler.js';

/**
 * What `oma-reconciler --version` prints. Read from package.json for now; the single-executable
 * build (issue 18) swaps this for its build info (version and git commit) in this one place.
 */
export function versionLine(): string {
  return `oma-reconciler ${packageVersion()}\n`;
}
