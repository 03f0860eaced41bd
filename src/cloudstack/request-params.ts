/** Filters of the list calls and their mapping to CloudStack's lowercase parameter names. */
import type { RequestParams } from './sign-request.js';

/** Tag filter pairs. CloudStack ORs several pairs; filter on the caller's side when AND is meant. */
export type TagFilter = Readonly<Record<string, string>>;

interface Common {
  /** Default true: without it even an admin sees only its own account's resources. */
  readonly listAll?: boolean;
  readonly id?: string;
  readonly ids?: readonly string[];
  readonly keyword?: string;
  readonly zoneId?: string;
  readonly tags?: TagFilter;
  /** `-1` = every project the caller can see; projects are otherwise invisible to list calls. */
  readonly projectId?: string;
}

export interface ListVolumesFilter extends Common {
  readonly name?: string;
  readonly virtualMachineId?: string;
  readonly type?: 'ROOT' | 'DATADISK';
  readonly state?: string;
}

export interface ListSnapshotsFilter extends Common {
  readonly volumeId?: string;
  /** Substring match on the server. */
  readonly name?: string;
}

export interface ListVirtualMachinesFilter extends Common {
  readonly name?: string;
  readonly state?: string;
}

export interface ListTagsFilter {
  readonly listAll?: boolean;
  readonly resourceId?: string;
  readonly resourceType?: string;
  readonly key?: string;
  readonly value?: string;
}

/** Resources of a `createTags`/`deleteTags` request. */
export interface TagsRequest {
  readonly resourceType: string;
  readonly resourceIds: readonly string[];
}

function common(f: Common, out: Record<string, string>): Record<string, string> {
  out.listall = String(f.listAll ?? true);
  if (f.id !== undefined) out.id = f.id;
  if (f.ids !== undefined) out.ids = f.ids.join(',');
  if (f.keyword !== undefined) out.keyword = f.keyword;
  if (f.zoneId !== undefined) out.zoneid = f.zoneId;
  if (f.projectId !== undefined) out.projectid = f.projectId;
  Object.entries(f.tags ?? {}).forEach(([key, value], i) => {
    out[`tags[${i}].key`] = key;
    out[`tags[${i}].value`] = value;
  });
  return out;
}

function put(out: Record<string, string>, name: string, value: string | undefined): void {
  if (value !== undefined) out[name] = value;
}

/** `listVolumes` parameters. */
export function listVolumesParams(f: ListVolumesFilter): RequestParams {
  const out = common(f, {});
  put(out, 'name', f.name);
  put(out, 'virtualmachineid', f.virtualMachineId);
  put(out, 'type', f.type);
  put(out, 'state', f.state);
  return out;
}

/** `listSnapshots` parameters. */
export function listSnapshotsParams(f: ListSnapshotsFilter): RequestParams {
  const out = common(f, {});
  put(out, 'volumeid', f.volumeId);
  put(out, 'name', f.name);
  return out;
}

/** `listVirtualMachines` parameters. */
export function listVirtualMachinesParams(f: ListVirtualMachinesFilter): RequestParams {
  const out = common(f, {});
  put(out, 'name', f.name);
  put(out, 'state', f.state);
  return out;
}

/** `listTags` parameters (note: `resourceid`, singular, unlike createTags). */
export function listTagsParams(f: ListTagsFilter): RequestParams {
  const out: Record<string, string> = { listall: String(f.listAll ?? true) };
  put(out, 'resourceid', f.resourceId);
  put(out, 'resourcetype', f.resourceType);
  put(out, 'key', f.key);
  put(out, 'value', f.value);
  return out;
}

/** `createTags`/`deleteTags` parameters; a null value (deleteTags) sends the key alone. */
export function tagsParams(
  req: TagsRequest & { readonly tags?: Readonly<Record<string, string | null>> },
): RequestParams {
  const out: Record<string, string> = { resourcetype: req.resourceType, resourceids: req.resourceIds.join(',') };
  Object.entries(req.tags ?? {}).forEach(([key, value], i) => {
    out[`tags[${i}].key`] = key;
    if (value !== null) out[`tags[${i}].value`] = value;
  });
  return out;
}
