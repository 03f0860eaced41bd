/**
 * Restarting nbd-server safely. Under a service manager (its PID is the MainPID of a systemd unit,
 * or NBD_RESTART_COMMAND is set) the restart is that command, never a child of ours
 * (./service-manager.ts). Standalone (the demo, the tests): SIGTERM to the verified parent only,
 * wait until that PID is really gone (TERM is deferred up to ~1.4 s during start-up, and the old
 * process unlinks the pid file and holds the port until it exits), start it again the way it was
 * started. Either way, then wait for the new pid file, the SIGHUP handler bit and a listing.
 */
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { listNbdExports } from './nbd-client.js';
import { NbdServerStateError } from './nbd-errors.js';
import { findNbdServer, isProcessGone, type NbdServerAt, type NbdServerProcess } from './server-process.js';
import { chooseRestartMethod, runCommand } from './service-manager.js';
import type { SignalPort } from './signal-port.js';

/** How to restart. */
export interface RestartOptions extends NbdServerAt {
  readonly signals: SignalPort;
  /** argv to start with (standalone restarts); empty = the old process's own argv. */
  readonly startCommand: readonly string[];
  /** `nbd.restartCommand`: argv that restarts nbd-server through its manager; empty/absent = decide. */
  readonly restartCommand?: readonly string[];
  /** The systemctl to run. Default `systemctl` from PATH (a test seam). */
  readonly systemctl?: string;
  /** Budget for each wait (exit, start, ready), ms. Default 15000. */
  readonly timeoutMs?: number;
  /** Poll interval, ms. Default 25. */
  readonly pollMs?: number;
}

async function pollUntil<T>(
  what: () => string,
  timeoutMs: number,
  pollMs: number,
  probe: () => Promise<T | null>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new NbdServerStateError(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await delay(pollMs);
  }
}

function launch(argv: readonly string[], timeoutMs: number): Promise<void> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(new NbdServerStateError('no command to start nbd-server'));
  return new Promise((resolve, reject) => {
    // nbd-server daemonizes: the launcher exits once the config parsed; errors go to its stderr.
    const child = spawn(command, args, { cwd: '/', detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new NbdServerStateError(`${command} did not return within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new NbdServerStateError(`cannot run ${command}: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else {
        reject(
          new NbdServerStateError(`${command} exited with ${code ?? 'a signal'}: ${stderr.trim() || 'no message'}`),
        );
      }
    });
  });
}

/**
 * Waits until a verified nbd-server parent other than `oldPid` has its SIGHUP handler installed
 * and answers a listing on `address`.
 */
export async function waitForNbdServerReady(options: RestartOptions, oldPid: number | null): Promise<NbdServerProcess> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const pollMs = options.pollMs ?? 25;
  let last = 'no answer yet';
  return pollUntil(
    () => `nbd-server to come back (${last})`,
    timeoutMs,
    pollMs,
    async () => {
      const found = await findNbdServer(options.pidFile, options);
      if (!found.running) {
        last = found.reason;
        return null;
      }
      if (found.server.pid === oldPid || !found.server.hupHandlerInstalled) return null;
      try {
        await listNbdExports(options.address, { timeoutMs: 2_000 });
      } catch (e) {
        last = `listing failed: ${(e as Error).message}`;
        return null;
      }
      return found.server;
    },
  );
}

/**
 * Restarts the verified parent `server`. The caller has checked that it has no live sessions:
 * SIGTERM drops every client connection.
 * @throws NbdServerStateError when the old process does not exit or the new one does not come up.
 */
export async function restartNbdServer(server: NbdServerProcess, options: RestartOptions): Promise<NbdServerProcess> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const pollMs = options.pollMs ?? 25;
  const method = await chooseRestartMethod(server, {
    restartCommand: options.restartCommand ?? [],
    timeoutMs,
    ...(options.systemctl !== undefined ? { systemctl: options.systemctl } : {}),
    ...(options.procRoot !== undefined ? { procRoot: options.procRoot } : {}),
  });
  if (method.kind === 'command') {
    // The manager stops the old server and starts the new one; we only wait for it to answer.
    await runCommand(method.argv, timeoutMs);
    return waitForNbdServerReady(options, server.pid);
  }
  const argv = options.startCommand.length > 0 ? options.startCommand : server.argv;
  options.signals.send(server.pid, 'SIGTERM');
  await pollUntil(
    () => `nbd-server ${server.pid} to exit after SIGTERM`,
    timeoutMs,
    pollMs,
    async () => ((await isProcessGone(server.pid, options)) ? true : null),
  );
  await launch(argv, timeoutMs);
  return waitForNbdServerReady(options, server.pid);
}
