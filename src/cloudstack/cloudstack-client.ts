/**
 * The CloudStack API client of the daemon: signed requests, complete paged listings, async jobs
 * polled to the end, retries decided by `retry-policy.ts`, one metrics observation per request.
 */
import PQueue from 'p-queue';
import pRetry from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import { coerceError } from '../errors.js';
import { createStringPool } from '../string-pool.js';
import type { CsSnapshot, CsVirtualMachine, CsVolume } from '../world/world.js';
import { noopCloudStackMetrics, type CloudStackMetrics } from './cloudstack-metrics.js';
import { CloudStackTransport } from './cloudstack-transport.js';
import {
  decodeAsyncJob,
  decodeSnapshot,
  decodeTag,
  decodeVirtualMachine,
  decodeVolume,
  snapshotDecoder,
  virtualMachineDecoder,
  volumeDecoder,
} from './decode-objects.js';
import { CloudStackProtocolError } from './errors.js';
import { listAll } from './list-all.js';
import { DEFAULT_RETRY_OPTIONS, decideRetry, retryDelayMs, type RetryOptions } from './retry-policy.js';
import type { RequestParams } from './sign-request.js';
import {
  DEFAULT_POLL_OPTIONS,
  type CloudStackLogger,
  type CsAsyncJob,
  type CsTag,
  type ListResult,
  type PollOptions,
} from './types.js';
import { waitForJob } from './wait-for-job.js';
import * as P from './request-params.js';

/** Construction options; only the URL and keys are required. */
export interface CloudStackClientOptions {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly secretKey: string;
  /** Items per page of list calls, ≤ 500. Default 500. */
  readonly pageSize?: number;
  /** Timeout of one HTTP request, ms. Default 30000. */
  readonly requestTimeoutMs?: number;
  /** Default wait for one async job, ms (overridable per call). Default 300000. */
  readonly asyncJobTimeoutMs?: number;
  /** Concurrent state-changing operations. Default 8. */
  readonly concurrency?: number;
  /** Default `auto`: reads as GET, state changes as POST. */
  readonly httpMethod?: 'GET' | 'POST' | 'auto';
  /** Sign with `signatureVersion=3` + `expires` this far ahead, seconds; 0 (default) = plain signing. */
  readonly expiresInSeconds?: number;
  readonly poll?: Partial<PollOptions>;
  readonly retry?: Partial<RetryOptions>;
  readonly metrics?: CloudStackMetrics;
  readonly logger?: CloudStackLogger;
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call (pass timeout, shutdown). */
  readonly signal?: AbortSignal;
  /** Overrides the async job timeout for this operation, ms. */
  readonly timeoutMs?: number;
  /**
   * Async commands: called with the job id as soon as CloudStack accepted the command, before the
   * wait — so a caller can journal the submission and a crash never leads to a blind resubmission.
   */
  readonly onSubmitted?: (jobId: string) => Promise<void> | void;
}

/** A signed CloudStack client. Create one per daemon (no global state). */
export class CloudStackClient {
  readonly #transport: CloudStackTransport;
  readonly #pageSize: number;
  readonly #jobTimeoutMs: number;
  readonly #poll: PollOptions;
  readonly #retry: RetryOptions;
  readonly #queue: PQueue;
  readonly #logger: CloudStackLogger | null;

  constructor(options: CloudStackClientOptions) {
    this.#pageSize = Math.min(500, Math.max(1, options.pageSize ?? 500));
    this.#jobTimeoutMs = options.asyncJobTimeoutMs ?? 300_000;
    this.#poll = { ...DEFAULT_POLL_OPTIONS, ...options.poll };
    this.#retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
    this.#queue = new PQueue({ concurrency: options.concurrency ?? 8 });
    this.#logger = options.logger ?? null;
    this.#transport = new CloudStackTransport({
      apiUrl: options.apiUrl,
      apiKey: options.apiKey,
      secretKey: options.secretKey,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      httpMethod: options.httpMethod ?? 'auto',
      expiresInSeconds: options.expiresInSeconds ?? 0,
      metrics: options.metrics ?? noopCloudStackMetrics(),
      logger: this.#logger,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      now: options.now ?? (() => new Date()),
    });
  }

  /** HTTP requests sent so far, every command and outcome (retries and job polls included). */
  get requestCount(): number {
    return this.#transport.requests;
  }

  /** Sends one command (retried per the policy) and returns the object inside its response envelope. */
  async call(
    command: string,
    params: RequestParams = {},
    options: CallOptions = {},
  ): Promise<Readonly<Record<string, unknown>>> {
    return this.#retrying(command, options.signal, () => this.#transport.send(command, params, options.signal));
  }

  /**
   * Sends an async command, waits for its job and returns `jobresult` (e.g. `{volume: …}`).
   * Submission errors and transient job failures (530/534) are retried; business-rule failures are not.
   */
  async callAsync(
    command: string,
    params: RequestParams = {},
    options: CallOptions = {},
  ): Promise<Readonly<Record<string, unknown>>> {
    const run = () =>
      this.#retrying(command, options.signal, async () => {
        const accepted = await this.#transport.send(command, params, options.signal);
        const jobId =
          typeof accepted.jobid === 'string' || typeof accepted.jobid === 'number' ? String(accepted.jobid) : null;
        if (jobId === null) throw new CloudStackProtocolError(command, `${command}: no jobid in the answer`);
        await options.onSubmitted?.(jobId);
        return this.waitForAsyncJob(command, jobId, options);
      });
    return this.#queue.add(run);
  }

  /**
   * Waits for a job submitted earlier (by this or an earlier process) and returns its `jobresult`;
   * a failed job throws {@link CloudStackJobFailedError}. Never submits anything.
   */
  async waitForAsyncJob(
    command: string,
    jobId: string,
    options: CallOptions = {},
  ): Promise<Readonly<Record<string, unknown>>> {
    const job = await waitForJob((id) => this.queryAsyncJobResult(id, options), {
      command,
      jobId,
      timeoutMs: options.timeoutMs ?? this.#jobTimeoutMs,
      poll: this.#poll,
      signal: options.signal,
    });
    return job.result ?? {};
  }

  /** Every async job CloudStack still lists (`listall=true`): where a lost submission is looked for. */
  async listAsyncJobs(options: CallOptions = {}): Promise<ListResult<CsAsyncJob>> {
    return this.#list('listAsyncJobs', 'asyncjobs', { listall: 'true' }, decodeAsyncJob, options, (j) => j.jobId);
  }

  /** One `queryAsyncJobResult` (retried on transport errors). */
  async queryAsyncJobResult(jobId: string, options: CallOptions = {}): Promise<CsAsyncJob> {
    return decodeAsyncJob(await this.call('queryAsyncJobResult', { jobid: jobId }, options));
  }

  /** Every volume (default `listall=true`). */
  async listVolumes(filter: P.ListVolumesFilter = {}, options: CallOptions = {}): Promise<ListResult<CsVolume>> {
    // One pool per listing: values repeated across items are kept once (string-pool.ts).
    return this.#list('listVolumes', 'volume', P.listVolumesParams(filter), volumeDecoder(createStringPool()), options);
  }

  /** Every snapshot (default `listall=true`); `Destroyed` ones are hidden by the server. */
  async listSnapshots(filter: P.ListSnapshotsFilter = {}, options: CallOptions = {}): Promise<ListResult<CsSnapshot>> {
    return this.#list(
      'listSnapshots',
      'snapshot',
      P.listSnapshotsParams(filter),
      snapshotDecoder(createStringPool()),
      options,
    );
  }

  /** Every VM (default `listall=true`). */
  async listVirtualMachines(
    filter: P.ListVirtualMachinesFilter = {},
    options: CallOptions = {},
  ): Promise<ListResult<CsVirtualMachine>> {
    return this.#list(
      'listVirtualMachines',
      'virtualmachine',
      P.listVirtualMachinesParams(filter),
      virtualMachineDecoder(createStringPool()),
      options,
    );
  }

  /** Every tag row matching the filter. */
  async listTags(filter: P.ListTagsFilter = {}, options: CallOptions = {}): Promise<ListResult<CsTag>> {
    return this.#list(
      'listTags',
      'tag',
      P.listTagsParams(filter),
      decodeTag,
      options,
      (t) => `${t.resourceType ?? ''}/${t.resourceId ?? ''}/${t.key}`,
    );
  }

  /** Attaches a volume; without `deviceId` the server picks the lowest free id (skipping 3). */
  async attachVolume(
    req: { readonly id: string; readonly virtualMachineId: string; readonly deviceId?: number },
    options: CallOptions = {},
  ): Promise<CsVolume> {
    const params: Record<string, string> = { id: req.id, virtualmachineid: req.virtualMachineId };
    if (req.deviceId !== undefined) params.deviceid = String(req.deviceId);
    return decodeVolume((await this.callAsync('attachVolume', params, options)).volume);
  }

  /** Detaches by volume id, or by `(virtualMachineId, deviceId)`. */
  async detachVolume(
    req: { readonly id: string } | { readonly virtualMachineId: string; readonly deviceId: number },
    options: CallOptions = {},
  ): Promise<CsVolume> {
    const params =
      'id' in req ? { id: req.id } : { virtualmachineid: req.virtualMachineId, deviceid: String(req.deviceId) };
    return decodeVolume((await this.callAsync('detachVolume', params, options)).volume);
  }

  /** Deletes (and expunges) an unattached volume. Synchronous on the server. */
  async deleteVolume(id: string, options: CallOptions = {}): Promise<void> {
    await this.#queue.add(() => this.call('deleteVolume', { id }, options));
  }

  /** Takes a snapshot of a volume; the result may still be `CreatedOnPrimary`/`BackingUp`. */
  async createSnapshot(
    req: { readonly volumeId: string; readonly name?: string },
    options: CallOptions = {},
  ): Promise<CsSnapshot> {
    const params: Record<string, string> = { volumeid: req.volumeId };
    if (req.name !== undefined) params.name = req.name;
    return decodeSnapshot((await this.callAsync('createSnapshot', params, options)).snapshot);
  }

  /** Deletes a snapshot. */
  async deleteSnapshot(id: string, options: CallOptions = {}): Promise<void> {
    await this.callAsync('deleteSnapshot', { id }, options);
  }

  /** Reverts a volume to a snapshot (volume detached, or its VM stopped). */
  async revertSnapshot(id: string, options: CallOptions = {}): Promise<CsSnapshot> {
    return decodeSnapshot((await this.callAsync('revertSnapshot', { id }, options)).snapshot);
  }

  /** Stops a VM; `forced` powers it off. */
  async stopVirtualMachine(
    id: string,
    req: { readonly forced?: boolean } = {},
    options: CallOptions = {},
  ): Promise<CsVirtualMachine> {
    const params: Record<string, string> = { id };
    if (req.forced !== undefined) params.forced = String(req.forced);
    return decodeVirtualMachine((await this.callAsync('stopVirtualMachine', params, options)).virtualmachine);
  }

  /** Starts a VM. */
  async startVirtualMachine(id: string, options: CallOptions = {}): Promise<CsVirtualMachine> {
    return decodeVirtualMachine((await this.callAsync('startVirtualMachine', { id }, options)).virtualmachine);
  }

  /**
   * Destroys a VM (`expunge` removes it and its ROOT volume at once; data disks are detached).
   * The job's VM object may be sparse after an expunge, so this resolves with nothing: confirm
   * with `listVirtualMachines`.
   */
  async destroyVirtualMachine(
    id: string,
    req: { readonly expunge?: boolean } = {},
    options: CallOptions = {},
  ): Promise<void> {
    const params: Record<string, string> = { id };
    if (req.expunge !== undefined) params.expunge = String(req.expunge);
    await this.callAsync('destroyVirtualMachine', params, options);
  }

  /** Adds tags to resources (`resourceType`: `Volume`, `Snapshot`, `UserVm`…). */
  async createTags(
    req: P.TagsRequest & { readonly tags: Readonly<Record<string, string>> },
    options: CallOptions = {},
  ): Promise<void> {
    await this.callAsync('createTags', P.tagsParams(req), options);
  }

  /** Removes tags (a key without value removes that key whatever its value). */
  async deleteTags(
    req: P.TagsRequest & { readonly tags?: Readonly<Record<string, string | null>> },
    options: CallOptions = {},
  ): Promise<void> {
    await this.callAsync('deleteTags', P.tagsParams(req), options);
  }

  async #list<T>(
    command: string,
    itemKey: string,
    params: RequestParams,
    decode: (raw: unknown) => T,
    options: CallOptions,
    idOf: (item: T) => string = (item) => (item as { id: string }).id,
  ): Promise<ListResult<T>> {
    return listAll((p) => this.call(command, p, options), {
      command,
      itemKey,
      params,
      decode,
      idOf,
      pageSize: this.#pageSize,
    });
  }

  #retrying<T>(command: string, signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    let decision = { retry: false, rule: 'unknown', minDelayMs: 0 };
    return pRetry(attempt, {
      retries: this.#retry.retries,
      minTimeout: 0, // the delay is ours (jitter, 429 wait), slept in onFailedAttempt
      ...(signal ? { signal } : {}),
      onFailedAttempt: async ({ error, retriesLeft, retriesConsumed }) => {
        decision = decideRetry(coerceError(error), command);
        if (!decision.retry || retriesLeft <= 0) return;
        const delayMs = retryDelayMs(retriesConsumed, this.#retry, decision.minDelayMs);
        this.#logger?.warn({ command, rule: decision.rule, delayMs, error: error.message }, 'cloudstack retry');
        await sleep(delayMs, undefined, signal ? { signal } : {});
      },
      shouldRetry: () => decision.retry,
    });
  }
}
