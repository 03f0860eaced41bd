/**
 * The nbd source of an observation pass: configured exports (base config + conf.d, read the way
 * nbd-server reads them), the running server (verified parent, version, live sessions, in-memory
 * names over NBD_OPT_LIST), and the pending changes. A config that cannot be read or parsed makes
 * the source incomplete with a reason — never an empty list. A stopped or unlistable server is a
 * fact (`running: false` / `liveExports: null` with `problem`), not an incomplete config.
 */
import type { NbdConfiguredExport, NbdFacts } from '../world/world.js';
import { isManagedAuthfile, readAuthfileState } from './authfile.js';
import { nbdBackupDir } from './config-backups.js';
import { listNbdExports } from './nbd-client.js';
import type { NbdAddress } from './nbd-wire.js';
import { NbdPendingStore, pendingFilePath } from './pending-store.js';
import { readNbdConfig } from './read-nbd-config.js';
import { countNbdSessions, findNbdServer } from './server-process.js';
import { NbdVersionCache } from './server-version.js';

/** Where to look (normally `config.nbd` plus `config.stateDir`). */
export interface ObserveNbdOptions {
  readonly baseConfig: string;
  readonly confDir: string;
  readonly pidFile: string;
  readonly address: NbdAddress;
  readonly stateDir: string;
  /** Share one cache across passes so `nbd-server -V` runs once per binary. */
  readonly versions?: NbdVersionCache;
  /** Listing timeout, ms. Default 5000. */
  readonly timeoutMs?: number;
}

/** The nbd source status and facts of one pass. */
export interface NbdObservation {
  readonly facts: NbdFacts;
  readonly complete: boolean;
  readonly error?: string;
  /** Configured exports (the sanity gate compares it with the last good pass). */
  readonly inventory: number;
}

async function observeServer(options: ObserveNbdOptions): Promise<NbdFacts['server']> {
  const found = await findNbdServer(options.pidFile);
  if (!found.running) {
    return { running: false, pid: found.pid, version: null, sessions: null, liveExports: null, problem: found.reason };
  }
  const { server } = found;
  const versions = options.versions ?? new NbdVersionCache();
  const version = await versions.versionOf(server.exe ?? server.argv[0] ?? 'nbd-server');
  // Count before listing: our own listing connection is a forked child for a moment.
  const sessions = await countNbdSessions(server.pid).catch(() => null);
  try {
    const liveExports = await listNbdExports(options.address, { timeoutMs: options.timeoutMs ?? 5_000 });
    return { running: true, pid: server.pid, version, sessions, liveExports };
  } catch (e) {
    const problem = `cannot list exports on ${options.address.host}:${options.address.port}: ${(e as Error).message}`;
    return { running: true, pid: server.pid, version, sessions, liveExports: null, problem };
  }
}

/** Observes config, server and pending changes. Never throws for missing or broken inputs. */
export async function observeNbd(options: ObserveNbdOptions): Promise<NbdObservation> {
  const snap = await readNbdConfig({ ...options, backupDir: nbdBackupDir(options.stateDir) });
  const configured: NbdConfiguredExport[] = [];
  for (const e of snap.exports) {
    const auth = await readAuthfileState(e.authfile);
    configured.push({
      name: e.name,
      file: e.file,
      exportname: e.exportname,
      authfile: e.authfile,
      managed: isManagedAuthfile(options.stateDir, e.authfile),
      denied: auth.state === 'deny',
    });
  }
  const parseErrors = snap.parseErrors.map((p) => ({ file: p.file, error: p.error }));
  let pending: NbdFacts['pending'] = [];
  let pendingError: string | null = null;
  try {
    pending = (await new NbdPendingStore(pendingFilePath(options.stateDir)).read()).changes;
  } catch (e) {
    pendingError = `cannot read ${pendingFilePath(options.stateDir)}: ${(e as Error).message}`;
  }
  const server = await observeServer(options);
  const firstParse = parseErrors[0];
  const error = snap.readError ?? (firstParse ? `${firstParse.file}: ${firstParse.error}` : pendingError);
  const facts: NbdFacts = { configured, parseErrors, server, pending };
  return error === null
    ? { facts, complete: true, inventory: configured.length }
    : { facts, complete: false, error, inventory: configured.length };
}
