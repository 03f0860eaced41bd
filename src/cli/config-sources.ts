import type { ConfigSources } from '../config/load-config.js';
import type { CommandArgs } from './command.js';

/** The config layers of a command: `--config`, the environment, and `--log-level`. */
export function configSources(args: CommandArgs, flags: NonNullable<ConfigSources['flags']> = {}): ConfigSources {
  const logLevel = args.values['log-level'];
  const file = args.values.config;
  return {
    file: typeof file === 'string' ? file : undefined,
    env: args.env,
    flags: {
      ...(typeof logLevel === 'string' ? { logLevel: { flag: '--log-level', value: logLevel } } : {}),
      ...flags,
    },
  };
}
