import type { DaemonState } from '../reconcile/daemon-status.js';

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
  constructor(
    readonly from: DaemonState,
    readonly to: DaemonState,
  ) {
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
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
