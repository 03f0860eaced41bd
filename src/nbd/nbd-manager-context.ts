/**
 * Options of `NbdExportManager`, their defaults, and the read-only view of the running server the
 * manager's steps share (verified parent, in-memory names, our memory record).
 */
import { dirname, join } from 'node:path';
import type { Logger } from '../log.js';
import { validateAllowEntry } from './authfile.js';
import { NbdConfigBackups, nbdBackupDir } from './config-backups.js';
import { listNbdExports } from './nbd-client.js';
import type { NbdAddress } from './nbd-wire.js';
import { NbdPendingStore, pendingFilePath, type NbdMemoryRecord } from './pending-store.js';
import { findNbdServer, type FindNbdServerResult } from './server-process.js';
import { NbdVersionCache } from './server-version.js';
import { createProcessSignalPort, type SignalPort } from './signal-port.js';

/** Options of `NbdExportManager` (normally from `config.nbd` and `config.stateDir`). */
export interface NbdExportManagerOptions {
  readonly baseConfig: string;
  readonly confDir: string;
  readonly pidFile: string;
  readonly address: NbdAddress;
  readonly stateDir: string;
  /** argv that starts nbd-server after an idle standalone restart. Default: the server's own argv. */
  readonly startCommand?: readonly string[];
  /** argv that restarts nbd-server through its service manager. Default: decided per restart (./service-manager.ts). */
  readonly restartCommand?: readonly string[];
  /** Addresses written into authfiles of exports we add. Default `['127.0.0.1']`. */
  readonly allowClients?: readonly string[];
  /** Backups kept per file. Default 20. */
  readonly backupsToKeep?: number;
  /** Default: `process.kill`. Tests pass a recording port. */
  readonly signals?: SignalPort;
  /** Default: a new cache owned by this manager. */
  readonly versions?: NbdVersionCache;
  /** Default: `() => new Date()`. */
  readonly clock?: () => Date;
  /** Budget of each wait on the server (exit, start, listing convergence), ms. Default 15000. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  /** Test seam: runs between the durable temp file and the rename of an export file. */
  readonly beforeRename?: (tempPath: string) => void | Promise<void>;
}

/** Options with defaults applied, plus the stores built from them. */
export interface NbdManagerContext {
  readonly baseConfig: string;
  readonly confDir: string;
  readonly pidFile: string;
  readonly address: NbdAddress;
  readonly stateDir: string;
  readonly startCommand: readonly string[];
  readonly restartCommand: readonly string[];
  readonly allowClients: readonly string[];
  readonly signals: SignalPort;
  readonly versions: NbdVersionCache;
  readonly clock: () => Date;
  readonly timeoutMs: number;
  readonly logger: Logger | null;
  readonly backups: NbdConfigBackups;
  readonly pending: NbdPendingStore;
  /** Where temp files go: STATE_DIR/tmp, then the parent of conf.d (first on conf.d's filesystem wins). */
  readonly tempDirs: readonly string[];
  readonly beforeRename: ((tempPath: string) => void | Promise<void>) | null;
}

/** Applies defaults; validates the allow list up front so a bad entry fails at construction. */
export function resolveManagerContext(options: NbdExportManagerOptions): NbdManagerContext {
  const allowClients = (options.allowClients ?? ['127.0.0.1']).map(validateAllowEntry);
  const clock = options.clock ?? (() => new Date());
  return {
    baseConfig: options.baseConfig,
    confDir: options.confDir,
    pidFile: options.pidFile,
    address: options.address,
    stateDir: options.stateDir,
    startCommand: options.startCommand ?? [],
    restartCommand: options.restartCommand ?? [],
    allowClients,
    signals: options.signals ?? createProcessSignalPort(),
    versions: options.versions ?? new NbdVersionCache(),
    clock,
    timeoutMs: options.timeoutMs ?? 15_000,
    logger: options.logger ?? null,
    backups: new NbdConfigBackups(nbdBackupDir(options.stateDir), options.backupsToKeep ?? 20, clock),
    pending: new NbdPendingStore(pendingFilePath(options.stateDir)),
    tempDirs: [join(options.stateDir, 'tmp'), dirname(options.confDir)],
    beforeRename: options.beforeRename ?? null,
  };
}

/** What the running server looks like right now. */
export interface ServerView {
  readonly found: FindNbdServerResult;
  /** Names in memory; null when not running or the listing failed. */
  readonly live: readonly string[] | null;
  readonly listError: string | null;
  /** Our record of the server's memory, only when it belongs to the running PID. */
  readonly memory: NbdMemoryRecord | null;
}

/** Reads the server state the manager's decisions start from. Never throws for server problems. */
export async function viewServer(ctx: NbdManagerContext): Promise<ServerView> {
  const found = await findNbdServer(ctx.pidFile);
  if (!found.running) return { found, live: null, listError: found.reason, memory: null };
  const state = await ctx.pending.read();
  const memory = state.memory?.pid === found.server.pid ? state.memory : null;
  try {
    return { found, live: await listNbdExports(ctx.address, { timeoutMs: 5_000 }), listError: null, memory };
  } catch (e) {
    return {
      found,
      live: null,
      listError: `cannot list exports on ${ctx.address.host}:${ctx.address.port}: ${(e as Error).message}`,
      memory,
    };
  }
}
