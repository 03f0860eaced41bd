/**
 * How long callers wait for a Volume Daemon operation (oma-system.md §2.3, the OMA's own
 * `WaitForCompletionWithTimeout` callers) and how often they poll.
 */
import type { OperationType } from './types.js';

/** Poll interval of `GET /operations/:id`, ms. */
export const OPERATION_POLL_INTERVAL_MS = 2_000;

/** Default waits, ms. */
export const OPERATION_TIMEOUTS_MS = Object.freeze({
  create: 120_000,
  attachToOma: 120_000,
  attachToOtherVm: 300_000,
  detach: 180_000,
  delete: 300_000,
  cleanup: 300_000,
});

/**
 * The default wait for an operation: an attach is judged by its target (the OMA VM: 2 min; any
 * other VM, e.g. a test VM: 300 s). Without the OMA VM id an attach gets the longer wait.
 */
export function defaultOperationTimeoutMs(
  op: { readonly type: OperationType; readonly vm_id?: string | null | undefined },
  omaVmId?: string | null,
): number {
  switch (op.type) {
    case 'create':
      return OPERATION_TIMEOUTS_MS.create;
    case 'attach':
      return omaVmId != null && op.vm_id === omaVmId
        ? OPERATION_TIMEOUTS_MS.attachToOma
        : OPERATION_TIMEOUTS_MS.attachToOtherVm;
    case 'detach':
      return OPERATION_TIMEOUTS_MS.detach;
    case 'delete':
      return OPERATION_TIMEOUTS_MS.delete;
    case 'cleanup':
      return OPERATION_TIMEOUTS_MS.cleanup;
  }
}
