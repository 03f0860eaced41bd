/**
 * Errors of the Volume Daemon client. Each names the method and route it came from; HTTP errors
 * carry the daemon's `{"error": …}` text, connection errors the host:port and errno.
 */
import { NamedError } from '../errors.js';
import type { OperationStatus, OperationType } from './types.js';

/** Base class: `route` is e.g. `POST /api/v1/volumes/<id>/attach`. */
export class VolumeDaemonError extends NamedError {
  constructor(
    readonly route: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The daemon answered with an error status (400/404/500…). */
export class VolumeDaemonHttpError extends VolumeDaemonError {
  constructor(
    route: string,
    readonly status: number,
    /** The daemon's `error` text, or the start of the body when it was not `{"error": …}`. */
    readonly daemonError: string,
  ) {
    super(route, `${route}: HTTP ${status}: ${daemonError}`);
  }
}

/** No HTTP answer: connection refused/reset, DNS failure… */
export class VolumeDaemonNetworkError extends VolumeDaemonError {
  constructor(
    route: string,
    /** `host:port` of the daemon. */
    readonly address: string,
    /** errno-style code such as `ECONNREFUSED`, or null. */
    readonly code: string | null,
    cause: unknown,
  ) {
    super(
      route,
      `${route}: cannot reach the Volume Daemon at ${address}: ${code ?? 'network error'}${causeText(cause)}`,
      { cause },
    );
  }
}

/** One request took longer than allowed. */
export class VolumeDaemonRequestTimeoutError extends VolumeDaemonError {
  constructor(
    route: string,
    readonly address: string,
    readonly timeoutMs: number,
  ) {
    super(route, `${route}: no answer from the Volume Daemon at ${address} within ${timeoutMs} ms`);
  }
}

/** A 2xx answer that is not the documented JSON. */
export class VolumeDaemonProtocolError extends VolumeDaemonError {}

/** `waitForOperation` gave up; the operation may still finish on the daemon. */
export class VolumeDaemonOperationTimeoutError extends VolumeDaemonError {
  constructor(
    route: string,
    readonly operationId: string,
    readonly type: OperationType,
    /** Last status seen. */
    readonly status: OperationStatus,
    readonly timeoutMs: number,
  ) {
    super(
      route,
      `${route}: ${type} operation ${operationId} still ${status} after ${timeoutMs} ms (it may yet finish)`,
    );
  }
}

function causeText(cause: unknown): string {
  const inner = (cause as { cause?: unknown } | null)?.cause;
  const e = inner instanceof Error ? inner : cause instanceof Error ? cause : null;
  return e ? ` (${e.message})` : '';
}
