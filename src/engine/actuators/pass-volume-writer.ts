import type { CloudStackClient } from '../../cloudstack/cloudstack-client.js';
import type { Logger } from '../../log.js';
import { chooseVolumeWriter } from '../../volume-ops/choose-writer.js';
import type { VolumeWriter } from '../../volume-ops/volume-writer.js';
import type { EngineDeps } from '../engine-deps.js';

/**
 * The pass's one writer of volume moves: through the Volume Daemon when it answers, else direct;
 * null (with the reason) when it is required and silent. Absent without CloudStack or an OMA VM id
 * (volume actions then fail on that).
 */
export async function passVolumeWriter(
  deps: EngineDeps,
  cs: { readonly client: CloudStackClient } | null,
  omaVmId: string | null,
  signal: AbortSignal,
  logger: Logger,
  /** The pass's settle window after a Volume Daemon operation, s (the grace override when given). */
  settleSeconds: number = deps.config.thresholds.volumeOperationSettleSeconds,
): Promise<{ volumes?: VolumeWriter | null; volumesBlocked?: string }> {
  if (cs === null || omaVmId === null) return {};
  const resolution = await deps.volumeDaemon();
  const writer = chooseVolumeWriter(
    resolution,
    {
      db: deps.database.db,
      cloudstack: cs.client,
      omaVmId,
      nbd: deps.nbd,
      nbdPort: deps.config.nbd.address.port,
      nbdConfDir: deps.config.nbd.confDir,
      deviceByIdDir: deps.config.deviceByIdDir,
      byIdWaitMs: 10_000,
      pollMs: 100,
      operationSettleMs: settleSeconds * 1000,
      clock: deps.clock,
      signal,
      logger,
    },
    deps.config.thresholds.staleVolumeOperationSeconds * 1000,
  );
  return writer === null && resolution.mode === 'unavailable'
    ? { volumes: null, volumesBlocked: resolution.reason }
    : { volumes: writer };
}
