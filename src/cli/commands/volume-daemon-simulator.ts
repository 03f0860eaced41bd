import { once } from 'node:events';
import { UsageError } from '../../errors.js';
import { loadConfig } from '../../config/load-config.js';
import { createLogger } from '../../log.js';
import { parseFaultList, VOLUME_DAEMON_FAULTS } from '../../volume-daemon-simulator/faults.js';
import { startVolumeDaemonSimulator } from '../../volume-daemon-simulator/start-volume-daemon-simulator.js';
import type { Command } from '../command.js';
import { configSources } from '../config-sources.js';
import { EXIT } from '../exit-codes.js';

/** `oma-reconciler volume-daemon-simulator`: a stand-in Volume Management Daemon that runs until SIGINT/SIGTERM. */
export function volumeDaemonSimulatorCommand(common: string): Command {
  return {
    name: 'volume-daemon-simulator',
    summary: "Run a simulator of the appliance's Volume Management Daemon (faults of the real one included).",
    usage: `Usage: oma-reconciler volume-daemon-simulator [--port N] [--faults LIST]

Serve the Volume Management Daemon's API (POST /api/v1/volumes, /volumes/:id/attach|attach-root|detach,
DELETE /volumes/:id, GET /operations[/:id], /vms/:id/volumes, /volumes/:id/device, GET /health) on
127.0.0.1, working on the reconciler's database, CloudStack (from the active ossea_configs row, or
CLOUDSTACK_*), conf.d and by-id directories, and playing udev for the OMA's by-id links. Configured
by the reconciler's environment: DATABASE_URL, NBD_BASE_CONFIG, NBD_CONF_DIR, NBD_PID_FILE,
DEVICE_BY_ID_DIR, CLOUDSTACK_API_URL/KEY/SECRET_KEY, OMA_VM_ID. Stop it with Ctrl-C.

Options:
  --port N         TCP port (default 8090, the real daemon's; 0 = any free port)
  --faults LIST    the real daemon's faults to keep: all (default), none, a,b (only those) or
                   -a,-b (all but those); default from VOLUME_DAEMON_SIM_FAULTS.
                   Faults: ${VOLUME_DAEMON_FAULTS.join(', ')}

Admin endpoints (not the real daemon's): GET|POST /sim/faults ({"<fault>": true|false}), GET /sim/stats.

${common}
`,
    options: { port: { type: 'string' }, faults: { type: 'string' } },
    run: async (args) => {
      const { port: portText, faults: faultsFlag } = args.values;
      const port = portText === undefined ? 8090 : Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port: "${String(portText)}" is not a port (0-65535)`);
      }
      const faults =
        typeof faultsFlag === 'string'
          ? parseFaultList(faultsFlag, '--faults')
          : parseFaultList(args.env.VOLUME_DAEMON_SIM_FAULTS, 'VOLUME_DAEMON_SIM_FAULTS');
      const config = loadConfig(configSources(args));
      const sim = await startVolumeDaemonSimulator({
        port,
        databaseUrl: config.databaseUrl,
        nbd: {
          baseConfig: config.nbd.baseConfig,
          confDir: config.nbd.confDir,
          pidFile: config.nbd.pidFile,
          port: config.nbd.address.port,
        },
        byIdDir: config.deviceByIdDir,
        cloudstack: config.cloudstack,
        faults,
        logger: createLogger(config.logLevel, args.stderr),
      });
      const on = VOLUME_DAEMON_FAULTS.filter((f) => faults[f]);
      args.stdout.write(
        [
          'Volume Daemon simulator listening',
          `  url:    ${sim.url}`,
          `  faults: ${on.length > 0 ? on.join(', ') : 'none'}`,
          '',
        ].join('\n'),
      );
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      await sim.close();
      args.stdout.write('Volume Daemon simulator stopped\n');
      return EXIT.ok;
    },
  };
}
