/**
 * Who uses a block device — so the engine's data-plane gate can refuse to detach or reuse a busy
 * one: kernel holders (`/sys/class/block/<dev>/holders`, e.g. device-mapper), mounts of the device
 * or its partitions (`/proc/self/mountinfo`, by major:minor and by source path), and processes
 * holding it open (`/proc/<pid>/fd`, e.g. an nbd-server child serving an export).
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Where the kernel's views live (test seams). */
export interface DeviceUsageOptions {
  /** Default `/sys/class/block`. */
  readonly sysClassBlock?: string;
  /** Default `/proc/self/mountinfo`. */
  readonly mountinfo?: string;
  /** Default `/proc`. */
  readonly procRoot?: string;
  /** Scan every process's open files. Default true. */
  readonly scanOpenFiles?: boolean;
}

/** One mount from mountinfo. */
interface MountEntry {
  readonly majorMinor: string;
  readonly mountPoint: string;
  readonly source: string;
}

/** Mounts and open files, read once per observation pass. */
export interface UsageIndex {
  readonly mounts: readonly MountEntry[];
  /** Absolute path → processes that hold it open (`pid(comm)`). */
  readonly openBy: ReadonlyMap<string, readonly string[]>;
  /**
   * Block device names sysfs lists (`/sys/class/block`), when it could be read. A device not listed
   * has no holders, partitions or major:minor to read, so {@link deviceUsage} skips those reads.
   */
  readonly blockDevices?: ReadonlySet<string>;
}

// mountinfo escapes space, tab, newline and backslash as octal.
const unescapeMount = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields[2] === undefined || fields[4] === undefined) continue;
    out.push({
      majorMinor: fields[2],
      mountPoint: unescapeMount(fields[4]),
      source: unescapeMount(fields[dash + 2] ?? ''),
    });
  }
  return out;
}

async function scanOpenFiles(procRoot: string): Promise<Map<string, string[]>> {
  const openBy = new Map<string, string[]>();
  for (const pid of (await readdir(procRoot)).filter((e) => /^\d+$/.test(e))) {
    // Other users' fds are unreadable without root, and processes come and go: skip quietly.
    const fds = await readdir(join(procRoot, pid, 'fd')).catch(() => [] as string[]);
    if (fds.length === 0) continue;
    const comm = (await readFile(join(procRoot, pid, 'comm'), 'utf8').catch(() => '?')).trim();
    for (const fd of fds) {
      const target = await readlink(join(procRoot, pid, 'fd', fd)).catch(() => null);
      if (target === null || !target.startsWith('/')) continue;
      const holders = openBy.get(target) ?? [];
      const who = `${pid}(${comm})`;
      if (!holders.includes(who)) holders.push(who);
      openBy.set(target, holders);
    }
  }
  return openBy;
}

/** Reads mountinfo and (optionally) every process's open files. */
export async function loadUsageIndex(options: DeviceUsageOptions = {}): Promise<UsageIndex> {
  const mounts = parseMountinfo(await readFile(options.mountinfo ?? '/proc/self/mountinfo', 'utf8'));
  const openBy =
    options.scanOpenFiles === false ? new Map<string, string[]>() : await scanOpenFiles(options.procRoot ?? '/proc');
  const blockDevices = await readdir(options.sysClassBlock ?? '/sys/class/block').then(
    (names) => new Set(names),
    () => null,
  );
  return blockDevices ? { mounts, openBy, blockDevices } : { mounts, openBy };
}

const readTrim = (path: string): Promise<string | null> =>
  readFile(path, 'utf8').then(
    (t) => t.trim(),
    () => null,
  );
const list = (path: string): Promise<string[]> => readdir(path).catch(() => [] as string[]);

/**
 * Usage of the device at `devicePath` (the resolved by-id target, e.g. `/dev/vdb`) and its
 * partitions, as short strings (`holder:dm-0`, `mount:/mnt/data (vdb1)`, `open:812(nbd-server)`).
 * Empty means idle.
 */
export async function deviceUsage(
  devicePath: string,
  index: UsageIndex,
  options: DeviceUsageOptions = {},
): Promise<string[]> {
  const sys = options.sysClassBlock ?? '/sys/class/block';
  const name = basename(devicePath);
  // Three failing sysfs reads per link otherwise (a link whose target is not a block device).
  const inSysfs = index.blockDevices?.has(name) ?? true;
  const partitions: string[] = [];
  for (const entry of inSysfs ? await list(join(sys, name)) : []) {
    if (entry.startsWith(name) && (await readTrim(join(sys, name, entry, 'partition'))) !== null) {
      partitions.push(entry);
    }
  }
  const busy: string[] = [];
  for (const dev of [name, ...partitions]) {
    const base = dev === name ? join(sys, name) : join(sys, name, dev);
    for (const holder of inSysfs ? await list(join(base, 'holders')) : []) {
      busy.push(`holder:${holder}${dev === name ? '' : ` (${dev})`}`);
    }
    const majorMinor = inSysfs ? await readTrim(join(base, 'dev')) : null;
    const nodePath = dev === name ? devicePath : join(devicePath, '..', dev);
    for (const m of index.mounts) {
      if ((majorMinor !== null && m.majorMinor === majorMinor) || m.source === nodePath) {
        busy.push(`mount:${m.mountPoint} (${dev})`);
      }
    }
    for (const who of index.openBy.get(nodePath) ?? []) busy.push(`open:${who}${dev === name ? '' : ` (${dev})`}`);
  }
  return [...new Set(busy)];
}
