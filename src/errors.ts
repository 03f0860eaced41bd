/**
 * The project's named error classes. Each says when it is thrown; callers decide retry policy from
 * the class (and, for CloudStack, from the table in `cloudstack/retry-policy.ts`), never from text.
 */

/**
 * Base of the project's error classes: `name` is the class's own name, so a class need not restate
 * it (and cannot say it wrongly).
 */
export class NamedError extends Error {
  override readonly name: string = this.constructor.name;
}

/** Thrown at start-up when configuration is invalid; lists every bad key at once. */
export class ConfigError extends NamedError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Thrown on bad command-line usage (unknown flag, missing argument); exit code 2. */
export class UsageError extends NamedError {}

/** Thrown when the database holds migrations this build does not know (schema newer than code). */
export class SchemaNewerError extends NamedError {
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
export class InvalidInputError extends NamedError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Wraps an error that must not be retried: counted and surfaced, then the subject waits for the next pass. */
export class TerminalError extends NamedError {}

/** Turns anything thrown into an Error, so boundaries can log and classify it uniformly. */
export function coerceError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new Error(typeof e === 'string' ? e : JSON.stringify(e));
}
