import type { Command } from '../command.js';
import { adoptCommand } from './adopt.js';
import { applyCommand } from './apply.js';
import { demoCommand } from './demo.js';
import { cleanupCommand } from './cleanup.js';
import { explainCommand } from './explain.js';
import { migrateCommand } from './migrate.js';
import { planCommand } from './plan.js';
import { runCommand } from './run.js';
import { undoCommand } from './undo.js';
import { simulatorCommand } from './simulator.js';
import { volumeDaemonSimulatorCommand } from './volume-daemon-simulator.js';

const common = `Common options:
  --config FILE        JSON config file (layers: defaults < file < environment < flags)
  --log-level LEVEL    fatal|error|warn|info|debug|trace|silent
  -h, --help           this help`;

/** Every subcommand of the contract, in help order. */
export const COMMANDS: readonly Command[] = [
  runCommand(common),
  planCommand(common),
  applyCommand(common),
  explainCommand(common),
  cleanupCommand(common),
  undoCommand(common),
  adoptCommand(common),
  migrateCommand(common),
  simulatorCommand(common),
  volumeDaemonSimulatorCommand(common),
  demoCommand(common),
];
