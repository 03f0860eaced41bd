/** Shapes the CloudStack client returns besides the world types (`CsVolume`, `CsSnapshot`, `CsVirtualMachine`). */

/** Outcome of a complete paged listing. An incomplete listing is never to be read as "empty". */
export interface ListResult<T> {
  readonly items: readonly T[];
  /** True only when every page succeeded and the distinct items add up to the server's `count`. */
  readonly complete: boolean;
  /** The total the server reported (`0` for the `{}` empty envelope), null when never learned. */
  readonly count: number | null;
  /** Why the listing is incomplete (first error); absent when complete. */
  readonly error?: string;
  /** The error object behind `error`, for classification. */
  readonly cause?: Error;
}

/** A resource tag row (`listTags` item, or an entry of an object's `tags[]`). */
export interface CsTag {
  readonly key: string;
  readonly value: string;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
}

/** An async job as `queryAsyncJobResult` reports it. */
export interface CsAsyncJob {
  readonly jobId: string;
  /** 0 pending, 1 succeeded, 2 failed. */
  readonly status: 0 | 1 | 2;
  readonly resultCode: number;
  /** `object` or `text`; null while pending. */
  readonly resultType: string | null;
  /** Success: `{volume: …}`, `{snapshot: …}`, `{virtualmachine: …}` or `{success: true}`; null while pending. */
  readonly result: Readonly<Record<string, unknown>> | null;
  /** Failure details (`jobresult.errorcode/errortext`) when status is 2. */
  readonly error: { readonly errorcode: number; readonly errortext: string } | null;
  readonly cmd: string | null;
  readonly instanceType: string | null;
  readonly instanceId: string | null;
  readonly created: string | null;
  readonly completed: string | null;
}

/** Backoff of `queryAsyncJobResult` polling: `initialMs`, multiplied by `factor`, capped at `maxMs`. */
export interface PollOptions {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

/** Defaults: 250 ms × 1.5 up to 5 s. */
export const DEFAULT_POLL_OPTIONS: PollOptions = Object.freeze({ initialMs: 250, factor: 1.5, maxMs: 5_000 });

/** Minimal logger the client writes to (a pino logger fits). */
export interface CloudStackLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
