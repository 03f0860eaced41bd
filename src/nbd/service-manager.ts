/**
 * How an idle restart of nbd-server is carried out (issue 18). An nbd-server that is the main
 * process of a systemd unit is restarted by its service manager (`systemctl restart UNIT`, a D-Bus
 * call that the package's polkit rule allows for our user); re-launching it ourselves would put
 * the new server in our cgroup and sandbox, where it has no device access and dies when we stop.
 * An operator command (`NBD_RESTART_COMMAND`) overrides the choice; an nbd-server that shares our
 * own cgroup (the demo, the tests) is re-launched standalone as before.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { NbdServerStateError } from './nbd-errors.js';
import type { NbdServerProcess, ProcOptions } from './server-process.js';

/** How to restart a given nbd-server. */
export type RestartMethod =
  /** Run this command (service manager or operator's), then wait for a new server to appear. */
  | { readonly kind: 'command'; readonly argv: readonly string[]; readonly why: string }
  /** SIGTERM the verified parent and start it again with its own argv (or `nbd.startCommand`). */
  | { readonly kind: 'standalone'; readonly why: string };

/** Options of {@link chooseRestartMethod}. */
export interface RestartMethodOptions extends ProcOptions {
  /** `nbd.restartCommand`; empty = decide from the server's cgroup. */
  readonly restartCommand: readonly string[];
  /** The systemctl to run. Default `systemctl` from PATH (a test seam). */
  readonly systemctl?: string;
  /** Our own PID, whose cgroup tells "started by us or beside us". Default `process.pid`. */
  readonly selfPid?: number;
  /** Budget of one systemctl query, ms. Default 10000. */
  readonly timeoutMs?: number;
}

/**
 * The cgroup path of a process from the text of /proc/PID/cgroup: the unified (`0::`) line, else
 * the `name=systemd` line of a cgroup-v1 hierarchy. Null when neither is there.
 */
export function cgroupPathOf(procCgroupText: string): string | null {
  const lines = procCgroupText.split('\n');
  const v1 = lines.find((l) => /^\d+:name=systemd:/.test(l));
  if (v1 !== undefined) return v1.slice(v1.indexOf(':', v1.indexOf(':') + 1) + 1);
  const v2 = lines.find((l) => l.startsWith('0::'));
  return v2 === undefined ? null : v2.slice(3);
}

/**
 * The systemd service a cgroup path belongs to: its innermost `*.service` component, as systemd
 * names a unit's cgroup (`/system.slice/nbd-server.service`). Null outside any service.
 */
export function serviceOfCgroup(path: string): string | null {
  const parts = path.split('/').filter((p) => p !== '');
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] ?? '';
    if (/^[A-Za-z0-9:_.\\@-]+\.service$/.test(part)) return part;
  }
  return null;
}

async function cgroupOfPid(pid: number, options: ProcOptions): Promise<string | null> {
  const text = await readFile(`${options.procRoot ?? '/proc'}/${pid}/cgroup`, 'utf8').catch(() => null);
  return text === null ? null : cgroupPathOf(text);
}

/** Runs a command to completion; resolves its stdout, rejects naming the command and its stderr. */
export function runCommand(argv: readonly string[], timeoutMs: number): Promise<string> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(new NbdServerStateError('empty command'));
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', cwd: '/' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const e: ExecFileException = error;
        const detail = stderr.trim() || e.message.split('\n')[0] || 'no message';
        if (e.killed === true) {
          reject(new NbdServerStateError(`${argv.join(' ')} did not finish within ${timeoutMs} ms`));
        } else if (typeof e.code === 'string') reject(new NbdServerStateError(`cannot run ${command}: ${e.code}`));
        else {
          reject(
            new NbdServerStateError(`${argv.join(' ')} exited with ${e.code ?? e.signal ?? 'a signal'}: ${detail}`),
          );
        }
      },
    );
  });
}

/** The MainPID systemd reports for `unit` (0 when it has none). */
export async function systemdMainPid(unit: string, systemctl: string, timeoutMs: number): Promise<number> {
  const out = (await runCommand([systemctl, 'show', '--property=MainPID', '--value', unit], timeoutMs)).trim();
  const pid = Number(out);
  if (!/^\d+$/.test(out) || !Number.isSafeInteger(pid)) {
    throw new NbdServerStateError(`${systemctl} show --property=MainPID ${unit} answered "${out}", not a PID`);
  }
  return pid;
}

/**
 * Decides how to restart `server`. Never decides "standalone" for a server that runs in another
 * service's cgroup: when that service's MainPID is another process, or systemd cannot be asked, it
 * throws rather than re-launch the server inside our own unit.
 * @throws NbdServerStateError naming the unit, the PIDs and what to set instead.
 */
export async function chooseRestartMethod(
  server: NbdServerProcess,
  options: RestartMethodOptions,
): Promise<RestartMethod> {
  if (options.restartCommand.length > 0) {
    return { kind: 'command', argv: options.restartCommand, why: 'nbd.restartCommand (NBD_RESTART_COMMAND) is set' };
  }
  const serverCgroup = await cgroupOfPid(server.pid, options);
  const unit = serverCgroup === null ? null : serviceOfCgroup(serverCgroup);
  if (serverCgroup === null || unit === null) {
    return {
      kind: 'standalone',
      why: `nbd-server ${server.pid} runs in no systemd service (${serverCgroup ?? 'cgroup unreadable'})`,
    };
  }
  const ownCgroup = await cgroupOfPid(options.selfPid ?? process.pid, options);
  if (ownCgroup === serverCgroup) {
    return { kind: 'standalone', why: `nbd-server ${server.pid} shares our own cgroup ${serverCgroup}` };
  }
  const systemctl = options.systemctl ?? 'systemctl';
  let mainPid: number;
  try {
    mainPid = await systemdMainPid(unit, systemctl, options.timeoutMs ?? 10_000);
  } catch (e) {
    throw new NbdServerStateError(
      `nbd-server ${server.pid} runs in ${unit} but systemd could not be asked for its MainPID (${(e as Error).message}); ` +
        'not re-launching it from inside our own unit: set NBD_RESTART_COMMAND',
    );
  }
  // MainPID 0: a unit with no main process of its own, such as the one systemd generates from
  // Debian's /etc/init.d/nbd-server (Type=forking, no PIDFile=); the server is in its cgroup, so
  // restarting the unit restarts the server. Another MainPID is some other process: refuse.
  if (mainPid !== server.pid && mainPid !== 0) {
    throw new NbdServerStateError(
      `nbd-server ${server.pid} runs in ${unit} whose MainPID is ${mainPid}, not the server; ` +
        'restarting that unit could restart something else: set NBD_RESTART_COMMAND',
    );
  }
  const why =
    mainPid === 0
      ? `nbd-server ${server.pid} runs in ${unit}, which has no other main process`
      : `nbd-server ${server.pid} is the MainPID of ${unit}`;
  return { kind: 'command', argv: [systemctl, '--no-ask-password', 'restart', unit], why };
}
