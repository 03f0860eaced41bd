/**
 * leftover-test-vm — a test-failover VM still in CloudStack after its context left
 * `failed_over_test`: the failed-execution cleanup never deletes the test VM (§4.3), and a failover
 * that died after `vm-creation` leaves a half-built one (§4.1). It costs quota and keeps the name.
 *
 * Desired: no test VM unless the context is `failed_over_test` (§8.5). Actual: CloudStack VMs named
 * like the sanitised `<vm>-test-<10-digit unix>` of a context (§4.7), or referenced by a terminal
 * `failover_jobs.destination_vm_id`; a VM with any `ossea_volumes` volume attached is left alone —
 * destroying it could take the replicated OS disk with it (incident 19).
 *
 * Actions: when a stuck test failover job points at the VM → `run-failed-execution-cleanup` (the
 * workflow owns it); otherwise `destroy-test-vm` (destructive, ownership: in ledger, named like ours,
 * no live job references it, not the OMA, not a live VM). Never a VM with a context's exact source
 * name. Safety rails: no failover in flight, grace (default 30 min), ownership, budget, sanity.
 */
import type { DriftItem, OwnershipChecks, Policy, ProposedAction } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { ContextRow, CsVirtualMachine, World } from '../src/world/world.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { failoverState, TERMINAL_FAILOVER_STATUSES } from './lib/failover-state.js';
import { findInFlight } from './lib/in-flight.js';
import { sanitizeVmName, testVmUnixSuffix } from './lib/names.js';
import { adoptionNote, failedChecks, inLedger, isLiveFailoverVm } from './lib/ownership.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';
import { isVmGone } from '../src/world/cloudstack-states.js';

/** Contexts by the two names their test VMs carry: sanitised VM name (name) and raw VM name (display name). */
function contextNames(idx: WorldIndex): { bySanitised: Map<string, ContextRow>; byRaw: Map<string, ContextRow> } {
  const bySanitised = new Map<string, ContextRow>();
  const byRaw = new Map<string, ContextRow>();
  for (const c of idx.world.database.contexts) {
    if (!bySanitised.has(sanitizeVmName(c.vmName))) bySanitised.set(sanitizeVmName(c.vmName), c);
    if (!byRaw.has(c.vmName)) byRaw.set(c.vmName, c);
  }
  return { bySanitised, byRaw };
}

/** The context whose test VM this is by name (§4.7): `sanitise(<vm>-test-<unix>)`, or display name `<vm>-test-<unix>`. */
function contextByName(names: ReturnType<typeof contextNames>, vm: CsVirtualMachine): ContextRow | undefined {
  const unix = testVmUnixSuffix(vm.name);
  if (unix === null) return undefined;
  const suffix = `-test-${unix}`;
  const candidate = names.bySanitised.get(vm.name.slice(0, -suffix.length));
  if (candidate && sanitizeVmName(`${candidate.vmName}${suffix}`) === vm.name) return candidate;
  const raw = vm.displayName?.endsWith(suffix) ? names.byRaw.get(vm.displayName.slice(0, -suffix.length)) : undefined;
  return raw;
}

function diff(world: World, policy: Policy, now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  // "No volume of ours attached" cannot be established from a partial volume listing.
  if (!world.sources.database.complete || !world.sources.cloudstack.complete) return [];
  const inFlight = findInFlight(idx, policy, now);
  const omaVmId = policy.omaVmId ?? world.omaVmId;
  const names = contextNames(idx);
  const items: DriftItem[] = [];
  for (const vm of world.cloudstack.virtualMachines) {
    if (isVmGone(vm.state) || vm.id === omaVmId) continue;
    const jobs = idx.failoverJobsByDestination.get(vm.id) ?? [];
    const byName = contextByName(names, vm);
    const terminalJob = jobs.find((j) => j.jobType === 'test' && TERMINAL_FAILOVER_STATUSES.includes(j.status));
    if (!byName && !terminalJob) continue;
    if (isLiveFailoverVm(idx, vm.id)) continue;
    const ctx = byName ?? (terminalJob ? idx.contexts.get(terminalJob.vmContextId) : undefined);
    if (ctx?.currentStatus === 'failed_over_test' || (ctx && inFlight.failover.has(ctx.contextId))) continue;
    const attached = (idx.csVolumesByVm.get(vm.id) ?? []).filter((v) => idx.osseaVolumes.has(v.id));
    if (attached.length > 0) continue;
    const stuck = jobs.find(
      (j) => j.jobType === 'test' && failoverState(j, idx.jobTracking.get(j.jobId), policy, now).recoverable,
    );
    const ownership: OwnershipChecks = {
      inLedger: inLedger(idx, 'vm', vm.id),
      namedLikeOurs: testVmUnixSuffix(vm.name) !== null,
      noReferencingRow: !jobs.some((j) => !TERMINAL_FAILOVER_STATUSES.includes(j.status)),
      notOmaRootVolume: vm.id !== omaVmId,
      notLiveFailoverVm: true,
    };
    const action: ProposedAction = stuck
      ? {
          action: 'run-failed-execution-cleanup',
          params: {
            contextId: stuck.vmContextId,
            failoverJobId: stuck.jobId,
            vmName: ctx?.vmName ?? stuck.sourceVmName,
          },
          destructive: true,
        }
      : { action: 'destroy-test-vm', params: { vmId: vm.id }, destructive: true, ownership };
    const failed = failedChecks(ownership);
    items.push(
      makeDrift({
        kind: 'leftover-test-vm',
        class: 'orphan',
        subject: { type: 'vm', id: vm.id, name: vm.name },
        contextId: ctx?.contextId ?? null,
        evidence: [
          fact(
            'cloudstack',
            `VM ${vm.state}, display name ${vm.displayName ?? '(none)'}, created ${vm.created ?? 'unknown'}; none of our volumes attached`,
          ),
          fact(
            'database',
            ctx ? `context ${ctx.vmName} (${ctx.contextId}) is ${ctx.currentStatus}` : 'no context matches',
          ),
          ...jobs.map((j) => fact('database', `${j.jobType} failover ${j.jobId} (${j.status}) created it`)),
          ...(stuck ? [] : failed.length > 0 ? [fact('ledger', `ownership checks failing: ${failed.join(', ')}`)] : []),
        ],
        actions: [action],
        note: stuck
          ? `owned by the failed-execution cleanup of stuck failover ${stuck.jobId}`
          : !ownership.inLedger
            ? `looks like a test VM by name only: ${adoptionNote('vm', vm.id)}`
            : null,
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "destroys with every ownership check holding": VM tvm-1 "web-test-1772400000" (in the ledger,
 * // from completed test failover fj-1); ctx-web is ready_for_failover again, none of its volumes on tvm-1
 * leftoverTestVm.diff(world, policy, now)
 * // → [{ id: 'leftover-test-vm:vm:tvm-1', contextId: 'ctx-web', actions: [{ action: 'destroy-test-vm',
 * //      params: { vmId: 'tvm-1' }, destructive: true, ownership: { …all five true } }] }]
 */
export const leftoverTestVm: Reconciler = { kind: 'leftover-test-vm', needs: ['database', 'cloudstack'], diff };
