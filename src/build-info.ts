/**
 * Version and commit of this build. The release bundle (packaging/build-binary.mjs) replaces the
 * two constants below with literals through esbuild's `define`; a development run (tsx, or the tsc
 * output in dist/) has neither, reads the version from package.json and reports the commit as
 * unknown. No `import.meta` here: the same source must work in the CommonJS bundle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

declare const OMA_RECONCILER_VERSION: string | undefined;
declare const OMA_RECONCILER_COMMIT: string | undefined;

/** What `--version` prints and `build_info{version}` carries. */
export interface BuildInfo {
  readonly version: string;
  /** Git commit the binary was built from; `unknown` in a development run. */
  readonly commit: string;
  /** True for the bundled release binary. */
  readonly release: boolean;
}

/** package.json's version, found upwards from `start` (dev runs only); null when not found. */
function versionFromPackageJson(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'oma-reconciler' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // unreadable package.json: keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

let cached: BuildInfo | undefined;

/** The build's identity (cached). */
export function buildInfo(): BuildInfo {
  if (cached) return cached;
  if (typeof OMA_RECONCILER_VERSION === 'string') {
    cached = {
      version: OMA_RECONCILER_VERSION,
      commit: typeof OMA_RECONCILER_COMMIT === 'string' ? OMA_RECONCILER_COMMIT : 'unknown',
      release: true,
    };
  } else {
    // A development run: the checkout is the entry script's ancestor or the working directory.
    const fromEntry = process.argv[1] ? versionFromPackageJson(dirname(process.argv[1])) : null;
    cached = {
      version: fromEntry ?? versionFromPackageJson(process.cwd()) ?? '0.0.0-dev',
      commit: 'unknown',
      release: false,
    };
  }
  return cached;
}

/** The line `--version` prints. */
export function versionLine(info: BuildInfo = buildInfo()): string {
  return `oma-reconciler ${info.version} (commit ${info.commit}${info.release ? '' : ', development build'})\n`;
}
