/**
 * Database connection failures that name their cause: which server (host, port, user, schema — never
 * the password), the driver's error code and errno, and the server's own message. mysql2 reports an
 * access or schema error without saying which server refused, so the target is added here, once, at
 * the pool boundary; every command and the daemon's logs then carry the same sentence.
 */

/** Where a `mysql://` URL points, without its password. */
export interface DatabaseTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string | null;
}

/** The target of a `mysql://` URL (the password is dropped here and never kept). */
export function databaseTarget(url: string): DatabaseTarget {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    database: database === '' ? null : database,
  };
}

/** `user@host:port/database`, the way the errors below name a server. */
export function describeTarget(t: DatabaseTarget): string {
  return `${t.user}@${t.host}:${t.port}${t.database ? `/${t.database}` : ''}`;
}

/** Thrown when a connection to the database cannot be opened (refused, unreachable, denied, unknown schema). */
export class DatabaseConnectionError extends Error {
  override readonly name = 'DatabaseConnectionError';
  constructor(
    readonly target: DatabaseTarget,
    /** The driver's code (`ECONNREFUSED`, `ER_ACCESS_DENIED_ERROR`, …), null when it gave none. */
    readonly code: string | null,
    /** The OS errno (negative) or the server's error number (1045, 1049, …). */
    readonly errno: number | null,
    /** What the server or the socket said. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `database ${describeTarget(target)} ${code !== null && code.startsWith('ER_') ? 'refused the connection' : 'unreachable'}: ${detail}` +
        (code !== null || errno !== null
          ? ` (${[code, errno !== null ? `errno ${errno}` : null].filter((x) => x !== null).join(', ')})`
          : ''),
      options,
    );
  }
}

interface DriverError {
  readonly message?: unknown;
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly sqlMessage?: unknown;
  readonly errors?: unknown;
}

/** Removes the password of `password` from `text` (a driver message might echo a URL). */
function redact(text: string, password: string): string {
  return password.length > 0 ? text.split(password).join('***') : text;
}

/**
 * Wraps a connect-time driver error into a {@link DatabaseConnectionError} naming the target.
 * An `AggregateError` (every address of a host name refused) is described by its first member.
 */
export function databaseConnectionError(e: unknown, target: DatabaseTarget, password = ''): DatabaseConnectionError {
  if (e instanceof DatabaseConnectionError) return e;
  const raw = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as DriverError;
  const first =
    Array.isArray(raw.errors) && raw.errors.length > 0 && typeof raw.errors[0] === 'object'
      ? (raw.errors[0] as DriverError)
      : null;
  const pick = (k: keyof DriverError): unknown => raw[k] ?? first?.[k];
  const message =
    [pick('sqlMessage'), raw.message, first?.message].find(
      (m): m is string => typeof m === 'string' && m.trim() !== '',
    ) ?? 'no message from the driver';
  const code = pick('code');
  const errno = pick('errno');
  return new DatabaseConnectionError(
    target,
    typeof code === 'string' ? code : null,
    typeof errno === 'number' ? errno : null,
    redact(message.replace(/\s+/g, ' ').trim(), password),
    { cause: e },
  );
}
