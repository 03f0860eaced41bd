/**
 * The volume writer an actuator or workflow step must use for every attach, detach and delete of a
 * volume: the pass's (daemon or direct), or — in a context built without the engine — a direct one.
 */
import { DirectVolumeWriter } from '../../volume-ops/direct-writer.js';
import type { VolumeWriter } from '../../volume-ops/volume-writer.js';
import { requireCloudStack, type ActuatorContext } from './actuator-context.js';

/** Default wait for a by-id link after an attach to the OMA (the Volume Daemon's), ms. */
const BY_ID_WAIT_MS = 10_000;
/** Default: a `pending`/`executing` operation older than an hour is stale (the daemon's own SQL). */
const OPERATION_STALE_MS = 3_600_000;

/** Waits a caller may shorten (tests, the workflows' own options). */
export interface WriterWaits {
  readonly byIdWaitMs?: number;
  readonly pollMs?: number;
}

export function volumeWriterOf(ctx: ActuatorContext, waits: WriterWaits = {}): VolumeWriter {
  if (ctx.volumes === null) {
    throw new Error(
      `volume moves are blocked: ${ctx.volumesBlocked ?? 'the Volume Daemon is required and does not answer'}`,
    );
  }
  if (ctx.volumes !== undefined) return ctx.volumes;
  if (ctx.omaVmId === null) throw new Error('the OMA VM id is unknown: no volume is moved');
  return new DirectVolumeWriter(
    {
      db: ctx.db,
      cloudstack: requireCloudStack(ctx),
      omaVmId: ctx.omaVmId,
      nbd: ctx.nbd,
      nbdPort: ctx.nbdPort,
      nbdConfDir: ctx.nbdConfDir,
      deviceByIdDir: ctx.deviceByIdDir ?? '/dev/disk/by-id',
      byIdWaitMs: waits.byIdWaitMs ?? BY_ID_WAIT_MS,
      pollMs: waits.pollMs ?? 100,
      clock: ctx.clock,
      signal: ctx.signal,
      logger: ctx.logger,
    },
    OPERATION_STALE_MS,
  );
}
