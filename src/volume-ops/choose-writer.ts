/**
 * Which writer moves volumes this pass, from the Volume Daemon resolution (`volumeDaemon.mode` and
 * one `/health` probe): the daemon when it answers; our direct writer when it is `off` or `auto`
 * without an answer; none when it is `required` and silent (volume actions are then blocked by the
 * incomplete `volume-daemon` source before they reach an actuator).
 */
import type { Config } from '../config/config-schema.js';
import type { VolumeDaemonResolution } from '../volume-daemon/resolve-volume-daemon.js';
import type { VolumeDaemonFacts } from '../world/world.js';
import { DaemonVolumeWriter } from './daemon-writer.js';
import { DirectVolumeWriter } from './direct-writer.js';
import type { VolumeWriter, VolumeWriterDeps } from './volume-writer.js';

/** The world's view of the resolution (no client, JSON-safe). */
export function volumeDaemonFacts(
  config: Pick<Config, 'volumeDaemon'>,
  resolution: VolumeDaemonResolution,
): VolumeDaemonFacts {
  const base = { configuredMode: config.volumeDaemon.mode, url: config.volumeDaemon.url };
  switch (resolution.mode) {
    case 'daemon':
      return { ...base, path: 'daemon', reason: null };
    case 'direct':
      return { ...base, path: 'direct', reason: resolution.reason };
    case 'unavailable':
      return { ...base, path: 'unavailable', reason: resolution.reason };
  }
}

/** The writer for this pass, or null when the daemon is required and does not answer. */
export function chooseVolumeWriter(
  resolution: VolumeDaemonResolution,
  deps: VolumeWriterDeps,
  operationStaleMs: number,
): VolumeWriter | null {
  switch (resolution.mode) {
    case 'daemon':
      return new DaemonVolumeWriter(deps, resolution.client, operationStaleMs);
    case 'direct':
      return new DirectVolumeWriter(deps, operationStaleMs);
    case 'unavailable':
      return null;
  }
}
