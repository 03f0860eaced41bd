import { once } from 'node:events';
import { UsageError } from '../../errors.js';
import { loadSeedFile } from '../../simulator/load-seed-file.js';
import { startSimulator } from '../../simulator/start-simulator.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

/** `oma-reconciler simulator`: a standalone CloudStack API simulator that runs until SIGINT/SIGTERM. */
export function simulatorCommand(common: string): Command {
  return {
    name: 'simulator',
    summary: 'Run the standalone CloudStack API simulator; prints its URL and keys.',
    usage: `Usage: oma-reconciler simulator [--port N] [--api-key K --secret-key S] [--state FILE] [--oma-vm NAME]

Run a CloudStack API simulator on 127.0.0.1 that verifies request signatures like a management
server and answers with CloudStack's envelopes, async jobs and business rules. It starts with one
zone, service offering, disk offering and template. Stop it with Ctrl-C.

Options:
  --port N             TCP port (default 8080; 0 = any free port)
  --api-key K          API key to accept (default: random, printed)
  --secret-key S       its secret key (required with --api-key)
  --state FILE         JSON state to load: {"virtualMachines":[…],"volumes":[…],"snapshots":[…],"tags":[…]}
  --oma-vm NAME        also create the appliance's own VM (printed id: use it as OMA_VM_ID)

Admin endpoints (unsigned): GET|POST|DELETE /sim/faults, GET|DELETE /sim/stats,
GET|POST /sim/config, POST /sim/seed, GET /sim/state.

${common}
`,
    options: {
      port: { type: 'string' },
      'api-key': { type: 'string' },
      'secret-key': { type: 'string' },
      state: { type: 'string' },
      'oma-vm': { type: 'string' },
    },
    run: async (args) => {
      const { port: portText, 'api-key': apiKey, 'secret-key': secretKey, state, 'oma-vm': omaVm } = args.values;
      const port = portText === undefined ? 8080 : Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port: "${String(portText)}" is not a port (0-65535)`);
      }
      if ((apiKey === undefined) !== (secretKey === undefined)) {
        throw new UsageError('--api-key and --secret-key go together');
      }
      const seed = typeof state === 'string' ? await loadSeedFile(state) : undefined;
      const sim = await startSimulator({
        port,
        ...(typeof apiKey === 'string' && typeof secretKey === 'string' ? { apiKey, secretKey } : {}),
        ...(seed ? { seed } : {}),
        ...(typeof omaVm === 'string' ? { omaVm: { name: omaVm } } : {}),
      });
      const counts = sim.state.counts();
      args.stdout.write(
        [
          'CloudStack simulator listening',
          `  url:        ${sim.url}`,
          `  api key:    ${sim.apiKey}`,
          `  secret key: ${sim.secretKey}`,
          `  admin:      ${sim.baseUrl}/sim/`,
          `  zone ${sim.state.defaults.zoneId}, template ${sim.state.defaults.templateId}`,
          `  service offering ${sim.state.defaults.serviceOfferingId}, disk offering ${sim.state.defaults.diskOfferingId}`,
          `  loaded ${counts.virtualMachines} VMs, ${counts.volumes} volumes, ${counts.snapshots} snapshots, ${counts.tags} tags`,
          ...(sim.omaVmId !== null ? [`  OMA VM:     ${sim.omaVmId}`] : []),
          '',
        ].join('\n'),
      );
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      await sim.close();
      args.stdout.write('CloudStack simulator stopped\n');
      return EXIT.ok;
    },
  };
}
