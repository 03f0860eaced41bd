import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVersion } from './start-reconciler.js';

/** Reads a file's trimmed text, or null. */
function text(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The git directory of the checkout this code runs from (a worktree's `.git` file is followed), or null. */
function gitDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const dotGit = join(dir, '.git');
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return dotGit;
      const pointer = /^gitdir: (.+)$/m.exec(text(dotGit) ?? '')?.[1];
      return pointer ? resolve(dir, pointer) : null;
    }
    dir = dirname(dir);
  }
  return null;
}

/**
 * The git commit of this build: `OMA_RECONCILER_COMMIT` when set (container builds), else read from
 * the checkout's `.git` without running git; `unknown` otherwise.
 */
export function buildCommit(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env.OMA_RECONCILER_COMMIT;
  if (fromEnv && /^[0-9a-f]{7,40}$/.test(fromEnv)) return fromEnv;
  const git = gitDir();
  if (!git) return 'unknown';
  const head = text(join(git, 'HEAD'));
  if (!head) return 'unknown';
  if (/^[0-9a-f]{40}$/.test(head)) return head.slice(0, 12);
  const ref = /^ref: (.+)$/.exec(head)?.[1];
  if (!ref) return 'unknown';
  const common = text(join(git, 'commondir'));
  const roots = [git, ...(common ? [resolve(git, common)] : [])];
  for (const root of roots) {
    const loose = text(join(root, ref));
    if (loose && /^[0-9a-f]{40}$/.test(loose)) return loose.slice(0, 12);
    const packed = text(join(root, 'packed-refs'));
    const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`));
    if (line) return line.slice(0, 12);
  }
  return 'unknown';
}

/**
 * What `oma-reconciler --version` prints. Read from package.json (and the checkout's commit) for
 * now; the single-executable build (issue 18) swaps this for its build info in this one place.
 */
export function versionLine(): string {
  return `oma-reconciler ${packageVersion()} (commit ${buildCommit()})\n`;
}
