/**
 * Decoders from CloudStack JSON objects to the world types. Tolerant of old servers (integer ids,
 * `"true"` strings) and of absent fields (a detached volume has no `virtualmachineid` key at all).
 */
import type { CsSnapshot, CsVirtualMachine, CsVolume } from '../world/world.js';
import { CloudStackProtocolError } from './errors.js';
import { parseCsTimestamp } from './cs-time.js';
import type { CsAsyncJob, CsTag } from './types.js';
import { noStringPool, type StringPool } from '../string-pool.js';

type Raw = Readonly<Record<string, unknown>>;

/** Narrows an unknown JSON value to an object, or null. */
export function asObject(value: unknown): Raw | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : null;
}

function text(raw: Raw, key: string): string | null {
  const v = raw[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function num(raw: Raw, key: string): number | null {
  const v = raw[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function bool(raw: Raw, key: string): boolean | null {
  const v = raw[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  return null;
}

function required(raw: Raw, key: string, kind: string): string {
  const v = text(raw, key);
  if (v === null) {
    throw new CloudStackProtocolError(kind, `${kind} object without "${key}": ${JSON.stringify(raw).slice(0, 200)}`);
  }
  return v;
}

/** Decodes one `tags[]` entry or `listTags` item. */
export function decodeTag(value: unknown): CsTag {
  const raw = asObject(value) ?? {};
  return {
    key: required(raw, 'key', 'tag'),
    value: text(raw, 'value') ?? '',
    resourceType: text(raw, 'resourcetype'),
    resourceId: text(raw, 'resourceid'),
  };
}

/** Shared by every object without tags (most of them): one frozen object instead of one each. */
const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

function tagRecord(raw: Raw): Readonly<Record<string, string>> {
  const tags = raw.tags;
  if (!Array.isArray(tags) || tags.length === 0) return NO_TAGS;
  const out: Record<string, string> = {};
  for (const t of tags) {
    const tag = decodeTag(t);
    out[tag.key] = tag.value;
  }
  return out;
}

/** Decodes a `volume` object. VM fields are null when the keys are absent (detached). */
export function decodeVolume(value: unknown): CsVolume {
  return volumeOf(value, noStringPool);
}

/**
 * A volume decoder for one listing: `pool` keeps one copy of the values that repeat across items
 * (string-pool.ts) — states, types and the VM fields (every volume on the OMA names the OMA).
 */
export function volumeDecoder(pool: StringPool): (value: unknown) => CsVolume {
  return (value) => volumeOf(value, pool);
}

function volumeOf(value: unknown, pool: StringPool): CsVolume {
  const raw = asObject(value) ?? {};
  return {
    id: required(raw, 'id', 'volume'),
    name: text(raw, 'name') ?? '',
    type: pool(text(raw, 'type') ?? 'UNKNOWN'),
    state: pool(text(raw, 'state') ?? 'Unknown'),
    sizeBytes: num(raw, 'size') ?? 0,
    virtualMachineId: pool(text(raw, 'virtualmachineid')),
    vmName: pool(text(raw, 'vmname')),
    vmState: pool(text(raw, 'vmstate')),
    deviceId: num(raw, 'deviceid'),
    created: parseCsTimestamp(raw.created),
    tags: tagRecord(raw),
    ...pendingJob(raw),
  };
}

/** `jobid` of a job CloudStack lists as pending on the object (`jobstatus` 0, or no status given). */
function pendingJob(raw: Raw): { readonly pendingJobId?: string } {
  const jobId = text(raw, 'jobid');
  if (jobId === null) return {};
  const status = num(raw, 'jobstatus');
  return status === null || status === 0 ? { pendingJobId: jobId } : {};
}

/** Decodes a `snapshot` object. `revertable` is null when the server does not say. */
export function decodeSnapshot(value: unknown): CsSnapshot {
  return snapshotOf(value, noStringPool);
}

/** A snapshot decoder for one listing (see {@link volumeDecoder}). */
export function snapshotDecoder(pool: StringPool): (value: unknown) => CsSnapshot {
  return (value) => snapshotOf(value, pool);
}

function snapshotOf(value: unknown, pool: StringPool): CsSnapshot {
  const raw = asObject(value) ?? {};
  return {
    id: required(raw, 'id', 'snapshot'),
    name: text(raw, 'name') ?? '',
    volumeId: required(raw, 'volumeid', 'snapshot'),
    state: pool(text(raw, 'state') ?? 'Unknown'),
    revertable: bool(raw, 'revertable'),
    created: parseCsTimestamp(raw.created),
  };
}

/** Decodes a `virtualmachine` object. */
export function decodeVirtualMachine(value: unknown): CsVirtualMachine {
  return virtualMachineOf(value, noStringPool);
}

/** A VM decoder for one listing (see {@link volumeDecoder}). */
export function virtualMachineDecoder(pool: StringPool): (value: unknown) => CsVirtualMachine {
  return (value) => virtualMachineOf(value, pool);
}

function virtualMachineOf(value: unknown, pool: StringPool): CsVirtualMachine {
  const raw = asObject(value) ?? {};
  return {
    id: required(raw, 'id', 'virtualmachine'),
    name: text(raw, 'name') ?? '',
    displayName: text(raw, 'displayname'),
    state: pool(text(raw, 'state') ?? 'Unknown'),
    created: parseCsTimestamp(raw.created),
  };
}

/** Decodes a `queryAsyncJobResult` body (the object inside `queryasyncjobresultresponse`). */
export function decodeAsyncJob(value: unknown): CsAsyncJob {
  const raw = asObject(value) ?? {};
  const status = num(raw, 'jobstatus');
  if (status !== 0 && status !== 1 && status !== 2) {
    throw new CloudStackProtocolError(
      'queryAsyncJobResult',
      `job without a valid jobstatus: ${JSON.stringify(raw).slice(0, 200)}`,
    );
  }
  const result = asObject(raw.jobresult);
  const resultCode = num(raw, 'jobresultcode') ?? 0;
  const error =
    status === 2
      ? {
          errorcode: (result && num(result, 'errorcode')) ?? (resultCode || 530),
          errortext: (result && text(result, 'errortext')) ?? 'job failed without an error text',
        }
      : null;
  return {
    jobId: required(raw, 'jobid', 'queryAsyncJobResult'),
    status,
    resultCode,
    resultType: text(raw, 'jobresulttype'),
    result,
    error,
    cmd: text(raw, 'cmd'),
    instanceType: text(raw, 'jobinstancetype'),
    instanceId: text(raw, 'jobinstanceid'),
    created: parseCsTimestamp(raw.created),
    completed: parseCsTimestamp(raw.completed),
  };
}

/** Reads `{success: true}` (or the old `"true"` string) from a sync or job result. */
export function decodeSuccess(value: unknown): boolean {
  const raw = asObject(value);
  return raw !== null && bool(raw, 'success') === true;
}
