/**
 * Timestamped copies of every nbd-server snippet the reconciler changes or removes, under
 * `STATE_DIR/backups/nbd/`, rotated per file name. A backup restores the file byte for byte, which
 * is what `undo` of an export removal uses.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { atomicWriteFile, type AtomicWriteOptions } from './atomic-write.js';

const SEPARATOR = '--';

/** The backup directory under the reconciler's state directory. */
export function nbdBackupDir(stateDir: string): string {
  return join(stateDir, 'backups', 'nbd');
}

/** Backups of conf.d files, newest `keep` per file name. */
export class NbdConfigBackups {
  /**
   * @param dir `STATE_DIR/backups/nbd`.
   * @param keep Backups kept per file name. Default 20.
   * @param clock Source of the timestamp in backup names.
   */
  constructor(
    readonly dir: string,
    readonly keep = 20,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Copies `file` into the backup directory; returns the backup path, or null when `file` does not exist. */
  async backup(file: string): Promise<string | null> {
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const stamp = this.clock().toISOString().replace(/[:.]/g, '-');
    // The random part keeps two backups in the same millisecond apart; the stamp keeps them sorted.
    const path = join(this.dir, `${stamp}.${randomBytes(3).toString('hex')}${SEPARATOR}${basename(file)}`);
    await atomicWriteFile(path, content, { mode: 0o600 });
    await this.rotate(basename(file));
    return path;
  }

  /** Backups of one file name (or all), oldest first. */
  async list(fileName?: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names
      .filter((n) => n.includes(SEPARATOR) && (fileName === undefined || n.endsWith(`${SEPARATOR}${fileName}`)))
      .sort()
      .map((n) => join(this.dir, n));
  }

  /** Writes a backup's bytes back to `target` atomically. */
  async restore(backupPath: string, target: string, options: AtomicWriteOptions = {}): Promise<void> {
    await atomicWriteFile(target, await readFile(backupPath), options);
  }

  private async rotate(fileName: string): Promise<void> {
    const all = await this.list(fileName);
    for (const old of all.slice(0, Math.max(0, all.length - this.keep))) await unlink(old).catch(() => undefined);
  }
}
