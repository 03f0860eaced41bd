/**
 * What the volume writer needs from the Volume Management Daemon: start an operation, wait for its
 * end. The HTTP client in `src/volume-daemon/` implements it; tests may drive the simulator with it.
 */

/** The end of a daemon operation as `GET /operations/:id` reports it. */
export interface DaemonOperationEnd {
  readonly id: string;
  readonly status: 'completed' | 'failed' | 'cancelled' | 'pending' | 'executing';
  readonly error: string | null;
}

/** The daemon routes that move a volume. Each resolves when the operation is accepted (201). */
export interface VolumeDaemonPort {
  /** Where the daemon answers (for messages). */
  readonly url: string;
  attach(volumeId: string, vmId: string): Promise<{ readonly operationId: string }>;
  attachRoot(volumeId: string, vmId: string): Promise<{ readonly operationId: string }>;
  detach(volumeId: string): Promise<{ readonly operationId: string }>;
  delete(volumeId: string): Promise<{ readonly operationId: string }>;
  /**
   * Polls the operation until it leaves `pending`/`executing` or `timeoutMs` passes; a timed-out
   * operation is returned as it was last seen (still running), never as failed.
   */
  waitForOperation(operationId: string, timeoutMs: number, signal: AbortSignal): Promise<DaemonOperationEnd>;
}
