/**
 * One writer per volume (issue 14): every attach, detach and delete of a volume the OMA manages goes
 * through a `VolumeWriter` — engine actuators and workflow steps alike. With the Volume Management
 * Daemon in use it is the daemon (`DaemonVolumeWriter`); without it the same calls write exactly the
 * daemon's bookkeeping themselves (`DirectVolumeWriter`), so the appliance cannot tell who did it.
 */
import type { Kysely } from 'kysely';
import type { CloudStackClient } from '../cloudstack/cloudstack-client.js';
import type { DB } from '../db/schema-types.js';
import type { Logger } from '../log.js';
import type { NbdExportManager } from '../nbd/nbd-export-manager.js';

/** How a move ended. `changed` is false when the volume already was where it was asked to be. */
export interface MoveOutcome {
  readonly changed: boolean;
  /** Completes "the writer …": `attached volume X to the OMA through the Volume Daemon (operation Y)`. */
  readonly message: string;
  /** True when an export file or row changed: the pass applies nbd-server changes at its end. */
  readonly nbdChanged: boolean;
  /** The `volume_operations` row that carried the move (the daemon's, or ours in direct mode). */
  readonly operationId: string | null;
  /** The VM the volume was detached from, when a detach happened. */
  readonly detachedFrom?: string | null;
}

/** Options of an attach. */
export interface AttachOptions {
  /** Attach at device id 0 (the root position of a test VM). */
  readonly root?: boolean;
}

/** The one path for moving a volume. Every method is idempotent and re-checks CloudStack first. */
export interface VolumeWriter {
  /** `daemon`: through the Volume Management Daemon; `direct`: CloudStack + the daemon's bookkeeping. */
  readonly path: 'daemon' | 'direct';
  attach(volumeId: string, vmId: string, options?: AttachOptions): Promise<MoveOutcome>;
  detach(volumeId: string): Promise<MoveOutcome>;
  /** Detaches first when attached; never deletes the `ossea_volumes` row (the daemon does not). */
  delete(volumeId: string): Promise<MoveOutcome>;
}

/** What both writers work with. */
export interface VolumeWriterDeps {
  readonly db: Kysely<DB>;
  readonly cloudstack: CloudStackClient;
  /** The OMA VM id in force; attachments to it are `oma` mappings with an export. */
  readonly omaVmId: string;
  readonly nbd: NbdExportManager;
  readonly nbdPort: number;
  readonly nbdConfDir: string;
  readonly deviceByIdDir: string;
  /** How long an attach to the OMA waits for the by-id link (the daemon waits 10 s). */
  readonly byIdWaitMs: number;
  readonly pollMs: number;
  /**
   * How long another writer's ended operation still holds its volume at the live re-check, ms (the
   * pass's settle window: `thresholds.volumeOperationSettleSeconds`, or the grace override). Default 0.
   */
  readonly operationSettleMs?: number;
  readonly clock: () => Date;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** Thrown when a move did not happen; the message names the volume, the route and the cause. */
export class VolumeMoveError extends Error {
  constructor(
    message: string,
    /** True when retrying cannot help (attached elsewhere, gone). */
    readonly terminal = false,
  ) {
    super(message);
    this.name = 'VolumeMoveError';
  }
}
