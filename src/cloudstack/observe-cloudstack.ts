/** The CloudStack part of one observation pass: volumes, snapshots and VMs, listed concurrently. */
import type { CloudStackFacts } from '../world/world.js';
import type { CallOptions, CloudStackClient } from './cloudstack-client.js';

/** What the CloudStack source contributes to a world. */
export interface CloudStackObservation {
  readonly facts: CloudStackFacts;
  /** True only when all three listings were complete. */
  readonly complete: boolean;
  /** The first listing error (prefixed with the command), absent when complete. */
  readonly error?: string;
  /** Volumes + snapshots + VMs read (the sanity gate's inventory). */
  readonly inventory: number;
}

/**
 * Lists every volume, snapshot and VM (`listall=true`). A partial listing keeps the items it got
 * for diagnostics but marks the source incomplete, so no reconciler treats it as the whole truth.
 */
export async function observeCloudStack(
  client: Pick<CloudStackClient, 'listVolumes' | 'listSnapshots' | 'listVirtualMachines'>,
  options: CallOptions = {},
): Promise<CloudStackObservation> {
  const [volumes, snapshots, virtualMachines] = await Promise.all([
    client.listVolumes({ listAll: true }, options),
    client.listSnapshots({ listAll: true }, options),
    client.listVirtualMachines({ listAll: true }, options),
  ]);
  const facts: CloudStackFacts = {
    volumes: volumes.items,
    snapshots: snapshots.items,
    virtualMachines: virtualMachines.items,
  };
  const inventory = volumes.items.length + snapshots.items.length + virtualMachines.items.length;
  const errors = [volumes, snapshots, virtualMachines].map((r) => r.error).filter((e): e is string => e !== undefined);
  const complete = volumes.complete && snapshots.complete && virtualMachines.complete;
  if (complete) return { facts, complete, inventory };
  return { facts, complete, inventory, error: errors[0] ?? 'CloudStack listing incomplete' };
}
