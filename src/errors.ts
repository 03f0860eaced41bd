/**
 * The project's named error classes. Each says when it is thrown; callers decide retry policy from
 * the class (and, for CloudStack, from the table in `cloudstack/retry-policy.ts`), never from text.
 */

/** Thrown at start-up when configuration is invalid; lists every bad key at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Thrown on bad command-line usage (unknown flag, missing argument); exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Thrown when the database holds migrations this build does not know (schema newer than code). */
export class SchemaNewerError extends Error {
  override readonly name = 'SchemaNewerError';
  constructor(
    readonly unknownMigrations: readonly string[],
    readonly migrationTable: string,
  ) {
    super(
      `database schema is newer than this oma-reconciler: ${migrationTable} lists ${unknownMigrations.join(', ')}, ` +
        'which this build does not know. Upgrade oma-reconciler; refusing to touch the schema.',
    );
  }
}

/** Thrown when input from an operator, the API or a config file is refused; nothing was changed. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Wraps an error that must not be retried: counted and surfaced, then the subject waits for the next pass. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/** Turns anything thrown into an Error, so boundaries can log and classify it uniformly. */
export function coerceError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new Error(typeof e === 'string' ? e : JSON.stringify(e));
}
