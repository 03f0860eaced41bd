/**
 * The OMA VM id in force, and whether CloudStack confirms it. A wrong id once made every attachment
 * look like a failover (incident 12), so reconcilers that reason about "attached to the OMA" say
 * nothing unless the VM is confirmed in a complete CloudStack listing.
 */
import type { Policy } from '../../src/reconcile/types.js';
import type { WorldIndex } from './world-index.js';

/** The OMA VM as the reconcilers may use it. */
export interface OmaVm {
  readonly id: string | null;
  readonly verified: boolean;
  /** Why it cannot be used, when not verified. */
  readonly problem: string | null;
}

/** Resolves the OMA VM id (policy override, else the world's) and checks it against CloudStack. */
export function resolveOmaVm(idx: WorldIndex, policy: Policy): OmaVm {
  const id = policy.omaVmId ?? idx.world.omaVmId;
  if (id === null || id === '') return { id: null, verified: false, problem: 'the OMA VM id is not set' };
  if (idx.csVms.has(id)) return { id, verified: true, problem: null };
  return idx.world.sources.cloudstack.complete
    ? { id, verified: false, problem: `OMA VM ${id} does not exist in CloudStack` }
    : { id, verified: false, problem: `OMA VM ${id} not seen (CloudStack listing incomplete)` };
}
