import { loadConfig } from '../../config/load-config.js';
import { daemonExitCode } from '../../daemon/daemon.js';
import { idleHeapRelease, tuneHeapForPasses } from '../../daemon/heap-tuning.js';
import { createLogger } from '../../log.js';
import type { Command } from '../command.js';
import { configSources } from '../config-sources.js';
import { startReconciler } from '../../compose/start-reconciler.js';

/** `oma-reconciler run`: the daemon. */
export function runCommand(common: string): Command {
  return {
    name: 'run',
    summary: 'Run the daemon: leader election, scheduled and event-triggered passes, HTTP server.',
    usage: `Usage: oma-reconciler run

Run the daemon: it competes for the leader lock (one active instance per database; standbys
observe and serve the plan), runs a full pass on the resync schedule, after nbd-server config
changes and when a cleanup is requested, and serves HTTP on HTTP_LISTEN (/metrics, /healthz,
/readyz, /api/v1/…, the status page at /). SIGTERM or SIGINT stops it cleanly (exit 0); a second
signal aborts the action in flight.

${common}
`,
    options: {},
    run: async (args) => {
      const config = loadConfig(configSources(args));
      const logger = createLogger(config.logLevel);
      tuneHeapForPasses();
      const { daemon } = startReconciler({ config, logger });
      // Between passes the daemon gives back what the last pass allocated (issue 17: idle memory).
      daemon.loop.onPass(idleHeapRelease(() => daemon.loop.busy));
      const exit = await daemon.done;
      if (exit.state === 'failed') args.stderr.write(`oma-reconciler run: ${exit.reason}\n`);
      // Nothing may keep the process alive after a clean stop (stray sockets, timers).
      setTimeout(() => process.exit(daemonExitCode(exit)), 1_000).unref();
      return daemonExitCode(exit);
    },
  };
}
