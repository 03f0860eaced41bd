/**
 * Error classes of the nbd-server integration. Refusals of bad export names or paths use
 * `InvalidInputError` from `src/errors.ts`; these cover files we read and the running server.
 */
import { NamedError } from '../errors.js';

/** Thrown when a key file (nbd-server config or snippet) cannot be loaded the way glib would load it. */
export class KeyFileSyntaxError extends NamedError {
  constructor(
    readonly detail: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

/** Thrown when a loadable config holds a value or section nbd-server would refuse (fatal at start). */
export class NbdConfigValueError extends NamedError {}

/** Thrown by the NBD wire client when the server speaks something other than fixed newstyle, or hangs up. */
export class NbdProtocolError extends NamedError {}

/**
 * Thrown by the NBD wire client when the server answers an option with an error reply
 * (`NBD_REP_ERR_*`): unknown export, policy (authfile/missing file), listing denied.
 */
export class NbdOptionError extends NamedError {
  constructor(
    readonly option: string,
    /** The reply type, e.g. `NBD_REP_ERR_POLICY`. */
    readonly reply: string,
    /** The server's own message, when it sent one. */
    readonly serverMessage: string,
  ) {
    super(`${option} refused: ${reply}${serverMessage ? ` (${serverMessage})` : ''}`);
  }
}

/**
 * Thrown when nbd-server is not in a state that allows the requested operation: no live parent
 * behind the pid file, a restart that did not come back, a reload that did not converge.
 */
export class NbdServerStateError extends NamedError {}
