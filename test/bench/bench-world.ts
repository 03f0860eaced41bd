/**
 * The synthetic appliance every benchmark measures: about three volumes per VM context, every
 * context status represented, failover snapshots on about a tenth of the volumes and an NBD export
 * for every volume attached to the OMA (what `buildApplianceWorld` derives from the statuses).
 */
import type { ContextStatus } from '../../src/db/schema-types.js';
import type { ApplianceWorldSpec } from '../../src/appliance-world/appliance-world-spec.js';

/**
 * The status cycle: all eight statuses; 19 of 20 contexts own volumes and 2 of those 19 are failed
 * over (their volumes carry the failover snapshots), so 2/19 ≈ 10.5 % of the volumes have one.
 */
export const BENCH_STATUSES: readonly ContextStatus[] = [
  'discovered',
  'ready_for_failover',
  'replicating',
  'ready_for_failover',
  'failed_over_test',
  'completed',
  'replicating',
  'ready_for_failover',
  'failed',
  'ready_for_failover',
  'cleanup_required',
  'replicating',
  'ready_for_failover',
  'failed_over_live',
  'completed',
  'replicating',
  'ready_for_failover',
  'failed',
  'ready_for_failover',
  'replicating',
];

/** Data disks per VM besides the OS disk: three volumes per volume-owning context. */
export const BENCH_DATA_DISKS = 2;

/** The world spec of a benchmark appliance with `vms` contexts. */
export function benchWorldSpec(
  vms: number,
  now: Date,
): Omit<ApplianceWorldSpec, 'confDir' | 'byIdDir' | 'cloudstack' | 'omaVmId'> {
  return {
    seed: 'oma-bench',
    vmCount: vms,
    statuses: BENCH_STATUSES,
    dataDisks: BENCH_DATA_DISKS,
    now,
    chunkSize: 2000,
  };
}
