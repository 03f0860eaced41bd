/**
 * Thrown inside a route handler to answer with a JSON error `{error, message}` and the given HTTP
 * status; anything else thrown becomes a 500 whose detail goes to the log, not to the client.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    /** Short machine-readable code, e.g. `invalid_parameter`. */
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
