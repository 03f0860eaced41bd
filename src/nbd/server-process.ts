/**
 * Finding and verifying the running nbd-server parent through /proc, never by process name:
 * the pid file's PID must be alive (not a zombie), be an `nbd-server`, not be a per-connection
 * child (its parent is not an nbd-server), and — before any SIGHUP — have its SIGHUP handler
 * installed (bit 0 of `SigCgt`), since a HUP that lands earlier kills the server.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { NbdAddress } from './nbd-wire.js';

/** The fields of /proc/PID/status we use. */
export interface ProcStatus {
  readonly name: string;
  /** First letter of `State`: R, S, D, Z, X, T… */
  readonly state: string;
  readonly ppid: number;
  readonly sigCgt: bigint;
}

/** A verified nbd-server parent process. */
export interface NbdServerProcess {
  readonly pid: number;
  /** argv from /proc/PID/cmdline: how to start it again. */
  readonly argv: readonly string[];
  /** Resolved executable (/proc/PID/exe), null when unreadable. */
  readonly exe: string | null;
  /** SIGHUP handler installed (SigCgt bit 0); false while the server is still starting. */
  readonly hupHandlerInstalled: boolean;
}

/** Result of {@link findNbdServer}. */
export type FindNbdServerResult =
  | { readonly running: true; readonly server: NbdServerProcess }
  | { readonly running: false; readonly pid: number | null; readonly reason: string };

/** Where /proc is (a test seam). */
export interface ProcOptions {
  /** Default `/proc`. */
  readonly procRoot?: string;
}

/** Where a running nbd-server is found: the pid file it wrote and the address it serves. */
export interface NbdServerAt extends ProcOptions {
  readonly pidFile: string;
  readonly address: NbdAddress;
}

/** Reads /proc/PID/status; null when the process does not exist. */
export async function readProcStatus(pid: number, options: ProcOptions = {}): Promise<ProcStatus | null> {
  let text: string;
  try {
    text = await readFile(`${options.procRoot ?? '/proc'}/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (key: string): string => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return {
    name: field('Name'),
    state: field('State').charAt(0),
    ppid: Number(field('PPid')),
    sigCgt: BigInt(`0x${field('SigCgt') || '0'}`),
  };
}

/** True when the process is gone or a zombie (it no longer holds its port or pid file). */
export async function isProcessGone(pid: number, options: ProcOptions = {}): Promise<boolean> {
  const status = await readProcStatus(pid, options);
  return status === null || status.state === 'Z' || status.state === 'X';
}

const isNbdServerName = (name: string): boolean => name === 'nbd-server';

/** Reads the pid file and verifies that it names a live nbd-server parent. Never throws. */
export async function findNbdServer(pidFile: string, options: ProcOptions = {}): Promise<FindNbdServerResult> {
  const proc = options.procRoot ?? '/proc';
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch (e) {
    return {
      running: false,
      pid: null,
      reason: `no pid file ${pidFile} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    };
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 1) {
    return { running: false, pid: null, reason: `pid file ${pidFile} holds no valid PID` };
  }
  const status = await readProcStatus(pid, options);
  if (status === null || status.state === 'Z' || status.state === 'X') {
    return { running: false, pid, reason: `pid ${pid} from ${pidFile} is not running (stale pid file)` };
  }
  if (!isNbdServerName(status.name)) {
    return { running: false, pid, reason: `pid ${pid} from ${pidFile} is "${status.name}", not nbd-server` };
  }
  const parent = await readProcStatus(status.ppid, options);
  if (parent && isNbdServerName(parent.name)) {
    return {
      running: false,
      pid,
      reason: `pid ${pid} is a per-connection child of nbd-server ${status.ppid}, not the parent`,
    };
  }
  const argv = (await readFile(`${proc}/${pid}/cmdline`, 'utf8').catch(() => ''))
    .split('\0')
    .filter((a, i, all) => a !== '' || i < all.length - 1);
  const exe = await readlink(`${proc}/${pid}/exe`).catch(() => null);
  if (
    argv.length === 0 ||
    (basename(argv[0] ?? '') !== 'nbd-server' && (exe === null || basename(exe) !== 'nbd-server'))
  ) {
    return { running: false, pid, reason: `pid ${pid} does not run an nbd-server binary` };
  }
  return { running: true, server: { pid, argv, exe, hupHandlerInstalled: (status.sigCgt & 1n) === 1n } };
}

/**
 * Live sessions = live nbd-server children of the parent (each client connection is served by a
 * forked child; zombies are not sessions).
 */
export async function countNbdSessions(parentPid: number, options: ProcOptions = {}): Promise<number> {
  const proc = options.procRoot ?? '/proc';
  const entries = await readdir(proc);
  let count = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readProcStatus(Number(entry), options);
    if (status?.ppid === parentPid && isNbdServerName(status.name) && status.state !== 'Z' && status.state !== 'X') {
      count++;
    }
  }
  return count;
}

/** nbd-server's default main config (`CFILE` in nbd-server.c). */
export const DEFAULT_NBD_CONFIG = '/etc/nbd-server/config';

/**
 * The main config file a running nbd-server reads, from its argv (`-C FILE`, `-CFILE`,
 * `--config-file FILE`, `--config-file=FILE`). The daemon chdirs to `/`, so a relative path is
 * what it resolves against `/` on every re-read.
 */
export function configFileOf(argv: readonly string[]): string {
  let found = DEFAULT_NBD_CONFIG;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-C' || arg === '--config-file') found = argv[++i] ?? found;
    else if (arg.startsWith('--config-file=')) found = arg.slice('--config-file='.length);
    else if (arg.startsWith('-C')) found = arg.slice(2);
  }
  return resolve('/', found);
}
