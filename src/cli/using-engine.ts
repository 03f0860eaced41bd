import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from '../config/config-schema.js';
import { loadConfig } from '../config/load-config.js';
import { connectDatabase } from '../db/connect.js';
import { engineDepsFromConfig } from '../compose/engine-deps-from-config.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { createLogger } from '../log.js';
import type { ConfigSources } from '../config/load-config.js';
import type { CommandArgs } from './command.js';
import { configSources } from './config-sources.js';

/** Options of {@link usingEngine}. */
export interface UsingEngineOptions {
  /** Check the database answers before the command runs (default true; false for offline replays). */
  readonly probeDatabase?: boolean;
}

/** A command's context: the same engine the daemon builds, released when the command ends. */
export interface CommandContext {
  readonly config: Config;
  readonly engine: Engine;
  readonly passId: string;
}

/**
 * Builds config → database → engine for one command and always releases them. Logs go to stderr
 * (stdout is the command's output), at `warn` unless `--log-level` says otherwise.
 */
export async function usingEngine<T>(
  args: CommandArgs,
  flags: NonNullable<ConfigSources['flags']>,
  fnOrOptions: ((ctx: CommandContext) => Promise<T>) | UsingEngineOptions,
  maybeFn?: (ctx: CommandContext) => Promise<T>,
): Promise<T> {
  const options: UsingEngineOptions = typeof fnOrOptions === 'function' ? {} : fnOrOptions;
  const fn = typeof fnOrOptions === 'function' ? fnOrOptions : maybeFn;
  if (fn === undefined) throw new Error('usingEngine: no command body');
  const sources = configSources(args, flags);
  const explicitLevel = typeof args.values['log-level'] === 'string' || args.env.LOG_LEVEL !== undefined;
  const config = loadConfig(sources);
  const logger = createLogger(explicitLevel ? config.logLevel : 'warn', process.stderr);
  const database = connectDatabase(config.databaseUrl, { connectionLimit: 4 });
  try {
    // A database that cannot be used is said in one line with its cause (host, port, errno, the
    // server's message), before any command output.
    if (options.probeDatabase !== false) await sql`select 1`.execute(database.db);
    const deps = engineDepsFromConfig({
      config,
      database,
      logger,
      actor: 'cli',
    });
    return await fn({ config, engine: createEngine(deps), passId: `cli-${randomUUID()}` });
  } finally {
    await database.close();
  }
}
