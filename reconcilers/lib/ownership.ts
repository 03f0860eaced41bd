/**
 * Shared ownership facts. Objects are deleted only when every check holds: in the ledger (or
 * adopted), named like ours, referenced by no row, not the OMA's ROOT volume, not a live VM.
 */
import type { OwnershipChecks } from '../../src/reconcile/types.js';
import { testVmUnixSuffix } from './names.js';
import { ledgerKey, type WorldIndex } from './world-index.js';

/** Names of the checks that failed (empty when all hold). */
export function failedChecks(checks: OwnershipChecks): string[] {
  return Object.entries(checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
}

/** True when CloudStack object `id` is in the ownership ledger (recorded or adopted). */
export function inLedger(idx: WorldIndex, type: 'volume' | 'snapshot' | 'vm', id: string): boolean {
  return idx.ledger.has(ledgerKey(type, id));
}

/**
 * True when VM `vmId` is (or may be) a production VM: the destination of a live failover, or named
 * exactly like a context's source VM (live VMs keep the source name, §4.7).
 */
export function isLiveFailoverVm(idx: WorldIndex, vmId: string | null): boolean {
  if (vmId === null) return false;
  if (idx.failoverJobsByDestination.get(vmId)?.some((j) => j.jobType === 'live')) return true;
  const vm = idx.csVms.get(vmId);
  return vm !== undefined && idx.sourceVmNames.has(vm.name);
}

/**
 * True when VM `vmId` may be a production VM as far as this world can tell: a live failover's VM
 * ({@link isLiveFailoverVm}), or any VM that is neither the OMA nor a known test VM (recorded in the
 * ledger by a test failover, or named `<vm>-test-<unix>`). Deleting a failed-over context cascades
 * away the rows that said its VM is live; only this conservative rule then keeps that VM's disks
 * and rollback points from looking like orphans.
 */
export function mayBeProductionVm(idx: WorldIndex, vmId: string | null, omaVmId: string | null): boolean {
  if (vmId === null || vmId === omaVmId) return false;
  if (isLiveFailoverVm(idx, vmId)) return true;
  const knownTestVm = inLedger(idx, 'vm', vmId) || testVmUnixSuffix(idx.csVms.get(vmId)?.name ?? '') !== null;
  return !knownTestVm;
}

/** A one-line explanation of how an operator adopts an object the reconciler will not touch. */
export function adoptionNote(type: 'volume' | 'snapshot' | 'vm', id: string): string {
  return (
    `never recorded by the OMA database, so it is not touched. If it is really an appliance leftover, adopt it: ` +
    `oma-reconciler adopt ${type} ${id} --reason TEXT (or the status page's Adopt button); otherwise ignore or delete it by hand`
  );
}
