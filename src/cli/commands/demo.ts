import { DatabaseUnreachableError } from '../../demo/demo-database.js';
import { runDemo } from '../../demo/run-demo.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

/** `oma-reconciler demo`: the README's main command. */
export function demoCommand(common: string): Command {
  return {
    name: 'demo',
    summary: 'Self-contained demo: simulator, demo database, temp NBD/device dirs and injected drift.',
    usage: `Usage: oma-reconciler demo [--once]

Builds a demo appliance with nothing but MariaDB: database migratekit_oma_demo (replaced on each run)
on the server of DATABASE_URL, the CloudStack simulator in-process, temp dirs for nbd-server's
conf.d and by-id links (and a real nbd-server when installed), a dozen VMs in every status, and one
case of each drift kind. Prints the plan, then runs the daemon so you can watch the drift go to
zero, and prints the URLs of the status page and /metrics. Ctrl-C stops it cleanly.

Options:
  --once               exit 0 once the drift to repair reaches zero (1 if it does not in 3 minutes)

${common}
`,
    options: { once: { type: 'boolean' } },
    run: async (args) => {
      try {
        return await runDemo({
          env: args.env,
          out: args.stdout,
          once: args.values.once === true,
          signals: args.values.once === true ? null : process,
          ...(typeof args.values.config === 'string' ? { configFile: args.values.config } : {}),
          ...(typeof args.values['log-level'] === 'string' ? { logLevel: args.values['log-level'] } : {}),
        });
      } catch (e) {
        if (e instanceof DatabaseUnreachableError) {
          args.stderr.write(`oma-reconciler: error: ${e.message}\n`);
          return EXIT.error;
        }
        throw e;
      }
    },
  };
}
