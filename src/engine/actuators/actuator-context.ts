import type { Kysely } from 'kysely';
import type { CloudStackClient } from '../../cloudstack/cloudstack-client.js';
import type { DB } from '../../db/schema-types.js';
import type { Logger } from '../../log.js';
import type { NbdExportManager } from '../../nbd/nbd-export-manager.js';
import type { VolumeWriter } from '../../volume-ops/volume-writer.js';
import type { GatedAction, GatedDrift } from '../../reconcile/types.js';

/** Everything an actuator may touch. Actuators decide nothing: they do what a gated action says. */
export interface ActuatorContext {
  readonly db: Kysely<DB>;
  /** Null when CloudStack cannot be reached this pass (credentials missing): CloudStack actions fail. */
  readonly cloudstack: CloudStackClient | null;
  readonly omaVmId: string | null;
  readonly nbd: NbdExportManager;
  readonly clock: () => Date;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** NBD listen port written into `nbd_exports.port`. */
  readonly nbdPort: number;
  readonly nbdConfDir: string;
  readonly quarantineTtlSeconds: number;
  /** Set by NBD actuators: the pass runs one `applyPending` at its end. */
  readonly nbdTouched: { value: boolean; allowRestart: boolean };
  /**
   * The one writer of volume moves this pass (through the Volume Daemon, or direct with its
   * bookkeeping); null when the daemon is required and does not answer (`volumesBlocked` says why);
   * absent in contexts built without the engine (tests): a direct writer is made on demand.
   */
  readonly volumes?: VolumeWriter | null;
  readonly volumesBlocked?: string;
  /** Workflow runners (cleanup of failed executions and of replication jobs). */
  readonly workflows: WorkflowPort;
  /** `DEVICE_BY_ID_DIR`: where the workflows wait for by-id links after an attach (default: the workflows' own option). */
  readonly deviceByIdDir?: string;
}

/** What an actuator reports. `undoData` makes the audit record reversible. */
export interface ActuatorResult {
  readonly ok: boolean;
  /** Completes "the action …": `detached and tagged volume X`, `already gone`, or the error. */
  readonly message: string;
  readonly undoData?: unknown;
  /** True when retrying cannot help (a precondition no longer holds and a human must look). */
  readonly terminal?: boolean;
}

/** Runs the cleanup workflows; implemented in `src/workflows/`. */
export interface WorkflowPort {
  runFailedExecutionCleanup(
    params: { readonly contextId: string; readonly failoverJobId: string; readonly vmName: string },
    ctx: ActuatorContext,
  ): Promise<ActuatorResult>;
  runReplicationJobCleanup(
    params: { readonly contextId: string; readonly jobId: string; readonly keepVolumes: boolean },
    ctx: ActuatorContext,
  ): Promise<ActuatorResult>;
}

/** One actuator: executes exactly one kind of action after re-checking its precondition. */
export type Actuator<A extends GatedAction['action']> = (
  action: Extract<GatedAction, { action: A }>,
  item: GatedDrift,
  ctx: ActuatorContext,
) => Promise<ActuatorResult>;

export const ok = (message: string, undoData?: unknown): ActuatorResult =>
  undoData === undefined ? { ok: true, message } : { ok: true, message, undoData };
export const fail = (message: string, terminal = false): ActuatorResult => ({ ok: false, message, terminal });

/** The CloudStack client; throws when there is none this pass (execute-action records the error). */
export function requireCloudStack(ctx: ActuatorContext): CloudStackClient {
  if (ctx.cloudstack === null) {
    throw new Error('CloudStack is not available in this pass (see the cloudstack source error)');
  }
  return ctx.cloudstack;
}
