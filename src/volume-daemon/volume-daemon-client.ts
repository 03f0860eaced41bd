/**
 * A typed client of the appliance's Volume Management Daemon (oma-system.md §2.2, no auth): every
 * answer is validated, every error names the method and route, the status and the daemon's text.
 * Mutations return the `pending` operation (201); `waitForOperation` polls it to its end.
 */
import type { z } from 'zod';
import { systemClock, type Clock } from './clock.js';
import {
  VolumeDaemonHttpError,
  VolumeDaemonNetworkError,
  VolumeDaemonOperationTimeoutError,
  VolumeDaemonProtocolError,
  VolumeDaemonRequestTimeoutError,
} from './errors.js';
import { defaultOperationTimeoutMs, OPERATION_POLL_INTERVAL_MS } from './operation-timeouts.js';
import {
  deviceMappingSchema,
  errorBodySchema,
  healthSchema,
  isTerminalStatus,
  operationListSchema,
  vmVolumeSchema,
  volumeOperationSchema,
  type CreateVolumeRequest,
  type DaemonHealth,
  type DeviceMapping,
  type OperationFilter,
  type VmVolume,
  type VolumeOperation,
} from './types.js';

/** Construction options; only `url` is required. */
export interface VolumeDaemonClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:8090` (the `/api/v1` prefix is added per route). */
  readonly url: string;
  /** Timeout of one HTTP request, ms. Default 30000 (the OMA's own client). */
  readonly requestTimeoutMs?: number;
  /** Poll interval of `waitForOperation`, ms. Default 2000. */
  readonly pollIntervalMs?: number;
  readonly clock?: Clock;
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/** Options of {@link VolumeDaemonClient.waitForOperation}. */
export interface WaitOptions {
  /** Overrides the per-type default of oma-system.md §2.3, ms. */
  readonly timeoutMs?: number;
  /** The OMA VM id: an attach to it gets the 2-minute default instead of 300 s. */
  readonly omaVmId?: string | null;
  readonly signal?: AbortSignal;
}

const API = '/api/v1';

/** The client. Stateless apart from its options; one per daemon URL. */
export class VolumeDaemonClient {
  readonly url: string;
  readonly #address: string;
  readonly #requestTimeoutMs: number;
  readonly #pollIntervalMs: number;
  readonly #clock: Clock;
  readonly #fetch: typeof fetch;

  constructor(options: VolumeDaemonClientOptions) {
    const base = new URL(options.url);
    this.url = base.toString().replace(/\/+$/, '');
    this.#address = `${base.hostname}:${base.port || (base.protocol === 'https:' ? '443' : '80')}`;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? OPERATION_POLL_INTERVAL_MS;
    this.#clock = options.clock ?? systemClock;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Root `GET /health`. */
  health(signal?: AbortSignal): Promise<DaemonHealth> {
    return this.#request('GET', '/health', healthSchema, undefined, signal);
  }

  /** `POST /api/v1/volumes`: creates a CloudStack volume (`size` in bytes). */
  createVolume(request: CreateVolumeRequest, signal?: AbortSignal): Promise<VolumeOperation> {
    return this.#request('POST', `${API}/volumes`, volumeOperationSchema, request, signal);
  }

  /** `POST /api/v1/volumes/:id/attach`: to the OMA (mapping + export) or to any other VM (placeholder mapping). */
  attachVolume(volumeId: string, vmId: string, signal?: AbortSignal): Promise<VolumeOperation> {
    return this.#request(
      'POST',
      `${API}/volumes/${seg(volumeId)}/attach`,
      volumeOperationSchema,
      { vm_id: vmId },
      signal,
    );
  }

  /** `POST /api/v1/volumes/:id/attach-root`: attaches at device 0 (the VM must be stopped). */
  attachVolumeAsRoot(volumeId: string, vmId: string, signal?: AbortSignal): Promise<VolumeOperation> {
    return this.#request(
      'POST',
      `${API}/volumes/${seg(volumeId)}/attach-root`,
      volumeOperationSchema,
      { vm_id: vmId },
      signal,
    );
  }

  /** `POST /api/v1/volumes/:id/detach`. */
  detachVolume(volumeId: string, signal?: AbortSignal): Promise<VolumeOperation> {
    return this.#request('POST', `${API}/volumes/${seg(volumeId)}/detach`, volumeOperationSchema, undefined, signal);
  }

  /** `DELETE /api/v1/volumes/:id` (answers 201 with the operation). */
  deleteVolume(volumeId: string, signal?: AbortSignal): Promise<VolumeOperation> {
    return this.#request('DELETE', `${API}/volumes/${seg(volumeId)}`, volumeOperationSchema, undefined, signal);
  }

  /** `GET /api/v1/operations/:id`; a 404 throws {@link VolumeDaemonHttpError} ("operation not found: <id>"). */
  getOperation(operationId: string, signal?: AbortSignal): Promise<VolumeOperation> {
    return this.#request('GET', `${API}/operations/${seg(operationId)}`, volumeOperationSchema, undefined, signal);
  }

  /** `GET /api/v1/operations?…`, newest first; `[]` when the daemon says `null`. */
  async listOperations(filter: OperationFilter = {}, signal?: AbortSignal): Promise<VolumeOperation[]> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') query.set(k, String(v));
    const qs = query.toString();
    return (
      (await this.#request('GET', `${API}/operations${qs ? `?${qs}` : ''}`, operationListSchema, undefined, signal)) ??
      []
    );
  }

  /** `GET /api/v1/vms/:id/volumes`: what `device_mappings` says is attached to the VM. */
  listVmVolumes(vmId: string, signal?: AbortSignal): Promise<VmVolume[]> {
    return this.#request('GET', `${API}/vms/${seg(vmId)}/volumes`, vmVolumeSchema.array(), undefined, signal);
  }

  /** `GET /api/v1/volumes/:id/device`: the volume's mapping, or null on the daemon's 404 "mapping not found". */
  async getVolumeDevice(volumeId: string, signal?: AbortSignal): Promise<DeviceMapping | null> {
    try {
      return await this.#request(
        'GET',
        `${API}/volumes/${seg(volumeId)}/device`,
        deviceMappingSchema,
        undefined,
        signal,
      );
    } catch (e) {
      if (e instanceof VolumeDaemonHttpError && e.status === 404 && e.daemonError.startsWith('mapping not found')) {
        return null;
      }
      throw e;
    }
  }

  /**
   * Polls `GET /operations/:id` every poll interval until the operation is `completed`, `failed`
   * or `cancelled`, and returns it (a `failed` operation is returned, not thrown: the caller judges
   * the outcome from CloudStack and the database). Throws {@link VolumeDaemonOperationTimeoutError}
   * after the timeout (default per type, oma-system.md §2.3) and any request error at once.
   */
  async waitForOperation(operationId: string, options: WaitOptions = {}): Promise<VolumeOperation> {
    const started = this.#clock.now();
    let op = await this.getOperation(operationId, options.signal);
    const timeoutMs = options.timeoutMs ?? defaultOperationTimeoutMs(op, options.omaVmId);
    while (!isTerminalStatus(op.status)) {
      const left = started + timeoutMs - this.#clock.now();
      if (left <= 0) {
        throw new VolumeDaemonOperationTimeoutError(
          `GET ${API}/operations/${operationId}`,
          operationId,
          op.type,
          op.status,
          timeoutMs,
        );
      }
      await this.#clock.sleep(Math.min(this.#pollIntervalMs, left), options.signal);
      op = await this.getOperation(operationId, options.signal);
    }
    return op;
  }

  async #request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<z.output<S>> {
    const route = `${method} ${path}`;
    const timeout = AbortSignal.timeout(this.#requestTimeoutMs);
    let res: Response;
    try {
      res = await this.#fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (e) {
      if (timeout.aborted && !signal?.aborted) {
        throw new VolumeDaemonRequestTimeoutError(route, this.#address, this.#requestTimeoutMs);
      }
      if (signal?.aborted) throw e;
      throw new VolumeDaemonNetworkError(route, this.#address, errnoOf(e), e);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      if (timeout.aborted && !signal?.aborted) {
        throw new VolumeDaemonRequestTimeoutError(route, this.#address, this.#requestTimeoutMs);
      }
      if (signal?.aborted) throw e;
      throw new VolumeDaemonNetworkError(route, this.#address, errnoOf(e), e);
    }
    if (!res.ok) throw new VolumeDaemonHttpError(route, res.status, errorText(text));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new VolumeDaemonProtocolError(
        route,
        `${route}: HTTP ${res.status} answer is not JSON: ${JSON.stringify(text.slice(0, 120))}`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new VolumeDaemonProtocolError(
        route,
        `${route}: unexpected answer: ${issue ? `${issue.path.join('.') || '<root>'}: ${issue.message}` : 'invalid'}`,
      );
    }
    return parsed.data;
  }
}

function seg(id: string): string {
  return encodeURIComponent(id);
}

function errorText(text: string): string {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, 200) || '(empty body)';
}

function errnoOf(e: unknown): string | null {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      const first = (errors[0] as { code?: unknown } | undefined)?.code;
      if (typeof first === 'string') return first;
    }
  }
  return null;
}
