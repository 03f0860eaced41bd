import type { ParseArgsConfig } from 'node:util';

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  'log-level': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** One subcommand: its usage text and its entry point (returns the exit code). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full usage text printed by `--help`. */
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Most positional arguments the command takes (default 0); more are refused with exit 2. */
  readonly maxPositionals?: number;
  /** Absent while the command is not implemented yet (it then says so and exits 2). */
  readonly run?: (args: CommandArgs) => Promise<number>;
}

export interface CommandArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | boolean[] | undefined>>;
  readonly positionals: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}
