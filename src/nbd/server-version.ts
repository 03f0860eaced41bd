/**
 * nbd-server's version decides whether SIGHUP may be used at all: 3.20–3.24 corrupt their heap on
 * a HUP (upstream #143, fixed in 3.25), so on those only an idle restart applies changes.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';

/** First version whose SIGHUP does not corrupt the heap. */
export const FIRST_SAFE_HUP_VERSION = [3, 25] as const;

/** Extracts `3.24` from `This is nbd-server version 3.24`; null when absent or `0.unknown`. */
export function parseNbdVersion(output: string): string | null {
  const m = /nbd-server version (\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  if (!m || m[1] === '0') return null;
  return [m[1], m[2], m[3]].filter((p): p is string => p !== undefined).join('.');
}

/** True only for a known version ≥ 3.25; unknown versions are treated as unsafe. */
export function supportsSafeHup(version: string | null): boolean {
  if (version === null) return false;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [safeMajor, safeMinor] = FIRST_SAFE_HUP_VERSION;
  return major > safeMajor || (major === safeMajor && minor >= safeMinor);
}

/** Runs `<binary> -V` once per binary file (path + inode + mtime, so an upgrade is noticed). */
export class NbdVersionCache {
  readonly #cache = new Map<string, Promise<string | null>>();

  /** Version of the binary, null when it cannot be determined. */
  async versionOf(binary: string): Promise<string | null> {
    let key: string;
    try {
      const st = await stat(binary);
      key = `${binary}:${st.ino}:${st.mtimeMs}`;
    } catch {
      return null;
    }
    let pending = this.#cache.get(key);
    if (!pending) {
      pending = new Promise((resolve) => {
        execFile(binary, ['-V'], { timeout: 5_000 }, (_error, stdout, stderr) => {
          resolve(parseNbdVersion(`${stdout}\n${stderr}`));
        });
      });
      this.#cache.set(key, pending);
    }
    return pending;
  }
}
