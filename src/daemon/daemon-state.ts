/**
 * The daemon's lifecycle states:
 * - `starting`: acquiring the leader session, trigger sources and the HTTP server;
 * - `running`: passes run on schedule and on events; `/readyz` can answer 200;
 * - `stopping`: a stop was asked (signal or `stop()`): no new passes, the action in flight finishes
 *   within the grace period, then resources are released in LIFO order;
 * - `stopped`: everything released after a requested stop (exit code 0 path);
 * - `failed`: start-up failed or an unrecoverable error happened; resources were released.
 */
export const DAEMON_STATES = ['starting', 'running', 'stopping', 'stopped', 'failed'] as const;
export type DaemonState = (typeof DAEMON_STATES)[number];

const TRANSITIONS: Readonly<Record<DaemonState, readonly DaemonState[]>> = {
  starting: ['running', 'stopping', 'failed'],
  running: ['stopping', 'failed'],
  stopping: ['stopped', 'failed'],
  stopped: [],
  failed: [],
};

/** Thrown when code asks for a lifecycle transition the state machine does not allow (a bug). */
export class IllegalStateError extends Error {
  override readonly name = 'IllegalStateError';
  constructor(readonly from: DaemonState, readonly to: DaemonState) {
    super(`illegal daemon state transition ${from} → ${to}`);
  }
}

/** Holds the current state; {@link transition} enforces the table above and notifies listeners. */
export class DaemonStateMachine {
  #state: DaemonState = 'starting';
  readonly #listeners = new Set<(state: DaemonState, from: DaemonState) => void>();

  get state(): DaemonState {
    return this.#state;
  }

  /** True when `to` is reachable from the current state in one step. */
  can(to: DaemonState): boolean {
    return TRANSITIONS[this.#state].includes(to);
  }

  /** Moves to `to`; throws {@link IllegalStateError} when the table forbids it. */
  transition(to: DaemonState): void {
    const from = this.#state;
    if (!TRANSITIONS[from].includes(to)) throw new IllegalStateError(from, to);
    this.#state = to;
    for (const listener of this.#listeners) listener(to, from);
  }

  /** Subscribes to transitions; returns the unsubscriber. */
  onChange(listener: (state: DaemonState, from: DaemonState) => void): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }
}
