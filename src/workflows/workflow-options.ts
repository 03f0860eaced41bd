/**
 * Options of the cleanup workflows (`createWorkflows(options)`): where by-id links appear, how long
 * to wait for them and for a graceful VM stop, the liveness thresholds for run-time re-checks, and
 * test seams (crash hooks, the device-usage probe).
 */
import { configSchema } from '../config/config-schema.js';
import type { Policy } from '../reconcile/types.js';
import { policyFromConfig } from '../../reconcilers/lib/policy-from-config.js';
import { busyDeviceUsers } from './device-busy.js';

/** The two workflows. */
export type WorkflowKind = 'failed-execution-cleanup' | 'replication-job-cleanup';

/**
 * Points where a test can make a run stop as if the process died. `afterStep` fires once the step's
 * journal entry is durable; throwing from it (or from `beforeStep`) leaves the request `running`.
 */
export interface WorkflowHooks {
  readonly beforeStep?: (workflow: WorkflowKind, step: string) => void | Promise<void>;
  readonly afterStep?: (workflow: WorkflowKind, step: string) => void | Promise<void>;
}

/** What `createWorkflows` accepts; everything is optional. */
export interface WorkflowOptions {
  /**
   * The reconcilers' policy (normally `policyFromConfig(config)`): `deviceByIdDir` and the
   * stuck thresholds the run-time re-checks use. Default: the configuration defaults.
   */
  readonly policy?: Partial<Policy>;
  /** How long to wait for a by-id link after an attach to the OMA, ms. Default 10000 (the Volume Daemon's). */
  readonly byIdWaitMs?: number;
  /** How long a graceful stop of a test VM may take before it is forced, ms. Default 300000. */
  readonly stopTimeoutMs?: number;
  /** How long to wait for a snapshot still being backed up to become `BackedUp`, ms. Default 300000. */
  readonly snapshotWaitMs?: number;
  /** Poll interval of those waits, ms. Default 100. */
  readonly pollMs?: number;
  /**
   * Who holds the device behind a by-id link (mounts, holders, open files); non-empty = busy and
   * not detached. Default: a scan of `/sys/class/block` and `/proc`.
   */
  readonly deviceUsage?: (byIdPath: string) => Promise<readonly string[]>;
  readonly hooks?: WorkflowHooks;
}

/** {@link WorkflowOptions} with every default applied. */
export interface ResolvedWorkflowOptions {
  readonly policy: Policy;
  readonly byIdWaitMs: number;
  readonly stopTimeoutMs: number;
  readonly snapshotWaitMs: number;
  readonly pollMs: number;
  readonly deviceUsage: (byIdPath: string) => Promise<readonly string[]>;
  readonly hooks: WorkflowHooks;
}

/** Applies the defaults of {@link WorkflowOptions}. */
export function resolveWorkflowOptions(options: WorkflowOptions = {}): ResolvedWorkflowOptions {
  return {
    policy: { ...policyFromConfig(configSchema.parse({})), ...options.policy },
    byIdWaitMs: options.byIdWaitMs ?? 10_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 300_000,
    snapshotWaitMs: options.snapshotWaitMs ?? 300_000,
    pollMs: options.pollMs ?? 100,
    deviceUsage: options.deviceUsage ?? busyDeviceUsers,
    hooks: options.hooks ?? {},
  };
}
