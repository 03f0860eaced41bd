/**
 * The daemon's HTTP surface (oma-system.md §2.2) for the routes the simulator serves: mutations
 * insert a `pending` operation, start it in the background and answer 201 with it; reads answer
 * from the database; errors are `{"error": "<text>"}` with 400/404/500, unknown routes gin's 404.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema-types.js';
import {
  OPERATION_STATUSES,
  OPERATION_TYPES,
  type OperationFilter,
  type OperationStatus,
  type OperationType,
} from '../volume-daemon/types.js';
import { deviceMappingJson, volumesOfVm } from './mapping-store.js';
import { getOperation, insertOperation, listOperations } from './operation-store.js';
import type { OperationWork, VolumeService } from './volume-service.js';

/** One answer. `body` undefined = gin's plain-text 404. */
export interface RouteAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Run once the answer has been handed to the socket (starts a mutation's background work). */
  readonly after?: () => void;
}

export interface RouteDeps {
  readonly db: Kysely<DB>;
  readonly service: VolumeService;
  readonly now: () => Date;
}

const error = (status: number, text: string): RouteAnswer => ({ status, body: { error: text } });

/** Parses a JSON body the way gin's ShouldBindJSON does: empty → "EOF", bad JSON → its message. */
function jsonBody(body: string): { ok: true; value: Record<string, unknown> } | { ok: false; answer: RouteAnswer } {
  if (body.trim() === '') return { ok: false, answer: error(400, 'invalid request body: EOF') };
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, answer: error(400, 'invalid request body: expected a JSON object') };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch (e) {
    return { ok: false, answer: error(400, `invalid request body: ${(e as Error).message}`) };
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

async function mutate(
  deps: RouteDeps,
  type: OperationType,
  volumeId: string,
  vmId: string | null,
  request: Record<string, unknown>,
  work: OperationWork,
): Promise<RouteAnswer> {
  const op = await insertOperation(deps.db, { type, volumeId, vmId, request });
  return {
    status: 201,
    body: op,
    after: () => {
      deps.service.start(op, work);
    },
  };
}

/** Routes one request; throws only on an internal failure (answered 500 by the server). */
export async function route(deps: RouteDeps, method: string, url: URL, body: string): Promise<RouteAnswer> {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const parts = path.split('/').slice(1).map(decodeURIComponent);
  if (method === 'GET' && path === '/health') {
    return {
      status: 200,
      body: {
        status: 'healthy',
        timestamp: deps.now().toISOString(),
        service: 'volume-management-daemon',
        version: '1.0.0',
      },
    };
  }
  if (parts[0] !== 'api' || parts[1] !== 'v1') return { status: 404, body: undefined };
  const [resource, id, action, extra] = parts.slice(2);
  if (extra !== undefined) return { status: 404, body: undefined };

  if (resource === 'health' && id === undefined && method === 'GET') {
    return {
      status: 200,
      body: {
        status: 'healthy',
        timestamp: deps.now().toISOString(),
        cloudstack_health: 'not_implemented',
        database_health: 'healthy',
        device_monitor: 'not_implemented',
        details: {},
      },
    };
  }
  if (resource === 'volumes') {
    if (id === undefined && method === 'POST') {
      const parsed = jsonBody(body);
      if (!parsed.ok) return parsed.answer;
      const req = parsed.value;
      const size = typeof req.size === 'number' ? req.size : NaN;
      if (str(req.name) === '' || !Number.isFinite(size) || size <= 0) {
        return error(400, 'invalid request: name and a positive size (bytes) are required');
      }
      return mutate(deps, 'create', '', null, req, {
        kind: 'create',
        name: str(req.name),
        sizeBytes: size,
        diskOfferingId: str(req.disk_offering_id),
        zoneId: str(req.zone_id),
      });
    }
    if (id !== undefined && (action === 'attach' || action === 'attach-root') && method === 'POST') {
      const parsed = jsonBody(body);
      if (!parsed.ok) return parsed.answer;
      const vmId = str(parsed.value.vm_id);
      const root = action === 'attach-root';
      const request = root
        ? { volume_id: id, vm_id: vmId, device_id: 0, attach_as: 'root' }
        : { volume_id: id, vm_id: vmId };
      return mutate(deps, 'attach', id, vmId, request, { kind: 'attach', volumeId: id, vmId, root });
    }
    if (id !== undefined && action === 'detach' && method === 'POST') {
      return mutate(deps, 'detach', id, null, { volume_id: id }, { kind: 'detach', volumeId: id });
    }
    if (id !== undefined && action === undefined && method === 'DELETE') {
      return mutate(deps, 'delete', id, null, { volume_id: id }, { kind: 'delete', volumeId: id });
    }
    if (id !== undefined && action === undefined && method === 'GET') {
      return { status: 200, body: { volume_id: id, state: 'unknown' } };
    }
    if (id !== undefined && action === 'device' && method === 'GET') {
      const mapping = await deviceMappingJson(deps.db, id);
      return mapping ? { status: 200, body: mapping } : error(404, `mapping not found for volume: ${id}`);
    }
  }
  if (resource === 'operations' && method === 'GET' && action === undefined) {
    if (id !== undefined) {
      const op = await getOperation(deps.db, id);
      return op ? { status: 200, body: op } : error(404, `operation not found: ${id}`);
    }
    const q = url.searchParams;
    const type = q.get('type') ?? '';
    const status = q.get('status') ?? '';
    const limit = q.get('limit');
    if (type !== '' && !(OPERATION_TYPES as readonly string[]).includes(type)) {
      return error(400, `invalid type: ${type}`);
    }
    if (status !== '' && !(OPERATION_STATUSES as readonly string[]).includes(status)) {
      return error(400, `invalid status: ${status}`);
    }
    if (limit !== null && !/^\d+$/.test(limit)) return error(400, `invalid limit: ${limit}`);
    const filter: OperationFilter = {
      ...(type ? { type: type as OperationType } : {}),
      ...(status ? { status: status as OperationStatus } : {}),
      ...(q.get('volume_id') ? { volume_id: q.get('volume_id') ?? '' } : {}),
      ...(q.get('vm_id') ? { vm_id: q.get('vm_id') ?? '' } : {}),
      ...(limit !== null && Number(limit) > 0 ? { limit: Number(limit) } : {}),
    };
    const ops = await listOperations(deps.db, filter);
    return { status: 200, body: ops.length === 0 ? null : ops };
  }
  if (resource === 'vms' && id !== undefined && action === 'volumes' && method === 'GET') {
    return { status: 200, body: await volumesOfVm(deps.db, id) };
  }
  return { status: 404, body: undefined };
}
