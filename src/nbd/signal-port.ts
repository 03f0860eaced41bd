/**
 * The one door through which the reconciler signals nbd-server. Only PIDs verified as the
 * nbd-server parent are passed in; tests substitute a recording port to prove that no SIGHUP is
 * sent to 3.24 and that no signal ever reaches a child.
 */

/** The signals the reconciler may send to nbd-server. */
export type NbdSignal = 'SIGHUP' | 'SIGTERM';

/** Sends a signal to one process by PID. */
export interface SignalPort {
  send(pid: number, signal: NbdSignal): void;
}

/** The real port: `process.kill(pid, signal)`. */
export function createProcessSignalPort(): SignalPort {
  return { send: (pid, signal) => process.kill(pid, signal) };
}
