/**
 * Crash-safe file replacement for nbd-server snippets: temp file in the target's own directory →
 * fsync → rename(2) → fsync of the directory. A reader (nbd-server on a HUP or a restart) sees the
 * old file or the new one, never a prefix: a half-written snippet would register an export with a
 * truncated path forever (`nbd-server.md` §5).
 *
 * The temp file is never anywhere else: under the shipped unit (`ProtectSystem=strict`,
 * `ReadWritePaths=` conf.d, `StateDirectory=`) conf.d and STATE_DIR are two mounts of one
 * filesystem, same `st_dev`, and rename(2) between mounts fails with EXDEV (issue 18). Its name
 * starts with a dot and ends in `.tmp`; nbd-server parses only names ending exactly in `.conf`
 * (`nbd-server.md` §2.5), so a temp file left by a crash is never read as an export.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link atomicWriteFile}. */
export interface AtomicWriteOptions {
  /**
   * Ignored since issue 18: the temp file always lives in the target's directory, the only place a
   * rename(2) into it cannot fail with EXDEV. Kept so callers compile unchanged.
   */
  readonly tempDirs?: readonly string[];
  /** File mode. Default 0o644 (the appliance's mode for snippets). */
  readonly mode?: number;
  /** Test seam: runs after the temp file is durable and before the rename (a "crash" point). */
  readonly beforeRename?: (tempPath: string) => void | Promise<void>;
}

/** fsyncs a directory so a rename or unlink inside it survives a power cut. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const TEMP_PREFIX = '.oma-reconciler-';
const TEMP_SUFFIX = '.tmp';

/** The temp file name for `target`: hidden, random, ending in `.tmp` (never `.conf`). */
export function tempFileName(target: string): string {
  return `${TEMP_PREFIX}${basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
}

/** Writes `data` to `target` atomically and durably. On failure the target is untouched. */
export async function atomicWriteFile(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const targetDir = dirname(target);
  // Never ends in `.conf`: nbd-server parses any regular *.conf in conf.d, dotfiles included.
  const tempPath = join(targetDir, tempFileName(target));
  const mode = options.mode ?? 0o644;
  const handle = await open(tempPath, 'wx', mode);
  try {
    try {
      // The mode given to open(2) is masked by the umask (the unit's UMask=0077 would leave 0600, which
      // nbd-server cannot read once it has dropped to its own user): set it explicitly.
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.(tempPath);
    await rename(tempPath, target);
  } catch (e) {
    // The target is untouched; the error (EXDEV, ENOSPC, EACCES…) reaches the caller, which
    // records the action as failed: a write is never lost silently.
    await unlink(tempPath).catch(() => undefined);
    throw e;
  }
  await syncDirectory(targetDir);
}

/** Removes a file and fsyncs its directory; a missing file is not an error. Returns whether it existed. */
export async function removeFileDurably(path: string): Promise<boolean> {
  try {
    await unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  await syncDirectory(dirname(path));
  return true;
}
