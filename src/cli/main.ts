import { parseArgs } from 'node:util';
import { versionLine } from '../build-info.js';
import { ConfigError, SchemaNewerError, UsageError, coerceError } from '../errors.js';
import { COMMON_OPTIONS, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { errorLine } from './error-line.js';
import { EXIT } from './exit-codes.js';

function topUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: oma-reconciler COMMAND [options]',
    '',
    'Repairs drift between the OMA database and CloudStack, nbd-server and block devices.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'oma-reconciler COMMAND --help' for a command's options; 'oma-reconciler --version' prints",
    'the version and the commit of this build.',
    '',
  ].join('\n');
}

/**
 * Runs the CLI with the given argv (without node and script) and returns the exit code. The process
 * entry is ./bin.ts.
 */
export async function runCli(
  argv: readonly string[],
  io: {
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    env: Readonly<Record<string, string | undefined>>;
  },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topUsage());
    return name === undefined ? EXIT.error : EXIT.ok;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(versionLine());
    return EXIT.ok;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`${errorLine(`unknown command "${name}"`)}\n${topUsage()}`);
    return EXIT.error;
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...rest],
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout.write(command.usage);
      return EXIT.ok;
    }
    if (!command.run) {
      io.stderr.write(errorLine(`${name} is not implemented yet in this build`));
      return EXIT.error;
    }
    const max = command.maxPositionals ?? 0;
    if (positionals.length > max) {
      const extra = positionals
        .slice(max)
        .map((p) => JSON.stringify(p.slice(0, 80)))
        .join(' ');
      throw new UsageError(
        max === 0 ? `${name} takes no arguments; unexpected ${extra}` : `${name}: unexpected argument ${extra}`,
      );
    }
    return await command.run({ values, positionals, env: io.env, stdout: io.stdout, stderr: io.stderr });
  } catch (e) {
    const err = coerceError(e);
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`${errorLine(`${name}: ${err.message}`)}\n${command.usage}`);
    } else if (err instanceof ConfigError || err instanceof SchemaNewerError || err instanceof UsageError) {
      io.stderr.write(errorLine(err.message));
    } else {
      io.stderr.write(errorLine(`${name}: ${err.message}`));
    }
    return EXIT.error;
  }
}
