/**
 * The Volume Daemon simulator as the demo and the benchmark run it beside a built appliance: the
 * real daemon's faults, except the SIGHUP per export change (it can corrupt the heap of nbd-server
 * 3.24, nbd-server.md), and no udev of its own (the appliance's udev stand-in makes the by-id links
 * the daemon waits for).
 */
import { createLogger } from '../log.js';
import { startVolumeDaemonSimulator, type VolumeDaemonSimulator } from './start-volume-daemon-simulator.js';

/** Where the appliance keeps what the daemon works on. */
export interface ApplianceForDaemon {
  readonly databaseUrl: string;
  readonly dirs: {
    readonly baseConfig: string;
    readonly confDir: string;
    readonly pidFile: string;
    readonly byIdDir: string;
  };
  readonly cloudstack: {
    readonly apiUrl: string;
    readonly apiKey: string;
    readonly secretKey: string;
    readonly omaVmId: string;
  };
}

/** Starts the simulator on the appliance (any free port). */
export function startVolumeDaemonBesideAppliance(appliance: ApplianceForDaemon): Promise<VolumeDaemonSimulator> {
  const { dirs } = appliance;
  return startVolumeDaemonSimulator({
    databaseUrl: appliance.databaseUrl,
    nbd: { baseConfig: dirs.baseConfig, confDir: dirs.confDir, pidFile: dirs.pidFile },
    byIdDir: dirs.byIdDir,
    cloudstack: appliance.cloudstack,
    faults: { 'hup-per-change': false },
    udev: false,
    logger: createLogger('silent'),
  });
}
