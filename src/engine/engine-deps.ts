import type { Config, Mode } from '../config/config-schema.js';
import type { Database } from '../db/connect.js';
import type { Logger } from '../log.js';
import type { NbdExportManager } from '../nbd/nbd-export-manager.js';
import type { DriftKind } from '../world/drift-kinds.js';
import type { World } from '../world/world.js';
import type { WorkflowPort } from './actuators/actuator-context.js';
import type { ObserveDeps } from './observe-world.js';
import type { CloudStackClient } from '../cloudstack/cloudstack-client.js';
import type { SubjectBackoffView } from '../reconcile/engine-port.js';
import type { VolumeDaemonResolution } from '../volume-daemon/resolve-volume-daemon.js';

/** Everything a pass needs, built once by the composition root (CLI command or daemon). */
export interface EngineDeps {
  readonly config: Config;
  readonly database: Database;
  readonly logger: Logger;
  readonly observe: ObserveDeps;
  /** The client of the last successful settings resolution (for actuators); see `observe.cloudstack`. */
  readonly cloudstack: () => Promise<{ client: CloudStackClient; omaVmId: string | null }>;
  readonly nbd: NbdExportManager;
  /** Which path volume moves take (one `/health` probe of the Volume Daemon per call). */
  readonly volumeDaemon: () => Promise<VolumeDaemonResolution>;
  readonly workflows: WorkflowPort;
  readonly clock: () => Date;
  /** Who acts: `daemon`, `cli`, `api:<name>`. */
  readonly actor: string;
  readonly hostname: string;
}

/**
 * How the engine runs one pass: the daemon's `PassOptions` (src/reconcile/engine-port.ts: signal, act, fence, backoff,
 * pass id) less the trigger, plus what the CLI asks for (a kind filter, a grace override, a mode,
 * a replayed world). `isLeader` is apart from `act`: `plan` and `explain` gate as the leader
 * would, without acting; the daemon passes `isLeader: act`.
 */
export interface EnginePassOptions {
  readonly passId: string;
  readonly signal: AbortSignal;
  /** False = plan only (every runnable action reported blocked `not-leader`… or just not run). */
  readonly act: boolean;
  /** True when this instance holds leadership (the `not-leader` gate). */
  readonly isLeader: boolean;
  /** Awaited before every mutation; false stops acting. */
  readonly fence: () => Promise<boolean>;
  readonly backoff?: SubjectBackoffView;
  readonly only?: readonly DriftKind[];
  readonly graceOverride?: number | null;
  /** Replaces the configured mode (`apply --dry-run`). */
  readonly mode?: Mode;
  /** Replay a saved world: no source is read and nothing is written. */
  readonly world?: World;
  /** Save the observed world under STATE_DIR/worlds (always done when the pass acts). */
  readonly saveWorld?: boolean;
}
