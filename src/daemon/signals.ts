/** The signals that stop the daemon. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/**
 * Where stop signals come from. `process` satisfies it; tests pass an EventEmitter (or call
 * `process.emit('SIGTERM')`), so no test ever sends a real signal to the test runner.
 */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
}

/**
 * Two-phase handling: the first signal asks for a graceful stop, any later one forces it. Returns
 * the function that removes the listeners.
 */
export function listenForStopSignals(
  source: SignalSource,
  handlers: { readonly graceful: (signal: StopSignal) => void; readonly force: (signal: StopSignal) => void },
): () => void {
  let seen = 0;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = (): void => {
      seen++;
      if (seen === 1) handlers.graceful(signal);
      else handlers.force(signal);
    };
    source.on(signal, listener);
    return { signal, listener };
  });
  return () => {
    for (const { signal, listener } of listeners) source.off(signal, listener);
  };
}
