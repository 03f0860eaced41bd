import type { Command } from '../command.js';
import { migrateCommand } from './migrate.js';
import { simulatorCommand } from './simulator.js';

const common = `Common options:
  --config FILE        JSON config file (layers: defaults < file < environment < flags)
  --log-level LEVEL    fatal|error|warn|info|debug|trace|silent
  -h, --help           this help`;

function planned(name: string, summary: string, synopsis: string, extra: string): Command {
  return {
    name,
    summary,
    usage: `Usage: oma-reconciler ${synopsis}\n\n${summary}\n${extra ? `\n${extra}\n` : ''}\n${common}\n`,
    options: {},
  };
}

/** Every subcommand of the contract, in help order. */
export const COMMANDS: readonly Command[] = [
  planned('run', 'Run the daemon: leader election, scheduled and event-triggered passes, HTTP server.', 'run', ''),
  planned(
    'plan',
    'Observe every source once, diff, and print drift items with the actions that would run. Changes nothing.',
    'plan [--output table|json] [--only KIND,...] [--world FILE] [--grace-seconds N]',
    'Exit codes: 0 no drift, 1 drift, 2 error.',
  ),
  planned(
    'apply',
    'One pass that acts (all gates apply); prints each action outcome.',
    'apply [--only KIND,...] [--dry-run] [--grace-seconds N]',
    'Exit codes: 0 all done or nothing to do, 1 some blocked or failed, 2 error.',
  ),
  planned('explain', 'Show what every source says about SUBJECT, matching drift rules, gates and recorded actions.', 'explain SUBJECT', 'SUBJECT: a CloudStack volume/snapshot/VM id, export name, job id, context id or VM name.'),
  planned('cleanup', 'Request, inspect or cancel the cleanup of a replication or failover job.', 'cleanup request JOB_ID [--keep-volumes] [--by NAME] | cleanup status JOB_ID | cleanup cancel JOB_ID', ''),
  planned('undo', 'Reverse a reversible action (quarantine, export removal) from its audit record.', 'undo ACTION_ID', ''),
  migrateCommand(common),
  simulatorCommand(common),
  planned('demo', 'Self-contained demo: simulator, demo database, temp NBD/device dirs and injected drift.', 'demo', ''),
];
