/**
 * Crash-safe file replacement for nbd-server snippets: temp file outside conf.d on the same
 * filesystem → fsync → rename(2) → fsync of the directory. A reader (nbd-server on a HUP or a
 * restart) sees the old file or the new one, never a prefix: a half-written snippet would register
 * an export with a truncated path forever (`nbd-server.md` §5).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link atomicWriteFile}. */
export interface AtomicWriteOptions {
  /**
   * Directories to hold the temp file, first one on the target's filesystem wins. When none
   * qualifies, the target directory itself is used with a name that does not end in `.conf`.
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

async function deviceOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).dev;
  } catch {
    return null;
  }
}

async function chooseTempDir(targetDir: string, candidates: readonly string[]): Promise<string> {
  const targetDev = await deviceOf(targetDir);
  for (const dir of candidates) {
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => undefined);
    // rename(2) only works within one filesystem; a different device would fail with EXDEV.
    if (targetDev !== null && (await deviceOf(dir)) === targetDev) return dir;
  }
  return targetDir;
}

/** Writes `data` to `target` atomically and durably. On failure the target is untouched. */
export async function atomicWriteFile(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const targetDir = dirname(target);
  const tempDir = await chooseTempDir(targetDir, options.tempDirs ?? []);
  // Never ends in `.conf`: nbd-server parses any regular *.conf in conf.d, dotfiles included.
  const tempPath = join(tempDir, `.oma-reconciler-${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tempPath, 'wx', options.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.(tempPath);
    await rename(tempPath, target);
  } catch (e) {
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
