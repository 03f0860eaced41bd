/** listTags, createTags, deleteTags (resource types matched case-insensitively; §7). */
import { SimApiError } from '../sim-api-error.js';
import { sync, type SimCommand, type SimContext } from '../sim-context.js';
import { paginate, queryKey, visibleTo } from '../sim-list.js';
import { renderTag } from '../sim-render.js';
import { TAG_RESOURCE_TYPES, type SimTag, type TagResourceType } from '../sim-types.js';

const PKG = 'org.apache.cloudstack.api.command.user.tag';

function resourceType(raw: string): TagResourceType {
  const type = TAG_RESOURCE_TYPES.find((t) => t.toLowerCase() === raw.toLowerCase());
  if (!type) throw SimApiError.invalid(`Invalid resource type ${raw}`);
  return type;
}

function exists(ctx: SimContext, type: TagResourceType, id: string): boolean {
  const s = ctx.state;
  return type === 'Volume'
    ? s.volumes.has(id)
    : type === 'Snapshot'
      ? s.snapshots.has(id)
      : type === 'UserVm'
        ? s.vms.has(id)
        : false;
}

function listTags(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const key = queryKey(ctx, ['resourceid', 'resourcetype', 'key', 'value', 'listall', 'account', 'customer']);
  const items = ctx.cache.get(key, s.version, () => {
    const visible = visibleTo(ctx);
    const [resourceId, type, k, v] = [
      p.get('resourceid'),
      p.get('resourcetype')?.toLowerCase(),
      p.get('key')?.toLowerCase(),
      p.get('value')?.toLowerCase(),
    ];
    const out: SimTag[] = [];
    for (const list of s.tags.values()) {
      for (const t of list) {
        if (!visible(t.account, null)) continue;
        if (resourceId !== undefined && t.resourceId !== resourceId) continue;
        if (type !== undefined && t.resourceType.toLowerCase() !== type) continue;
        if (k !== undefined && t.key.toLowerCase() !== k) continue;
        if (v !== undefined && t.value.toLowerCase() !== v) continue;
        out.push(t);
      }
    }
    return out;
  });
  return sync(paginate(ctx, items, 'tag', (t) => renderTag(s, t)));
}

/** The parameters createTags and deleteTags share: the resources, their type (checked in the job) and the key/value pairs. */
function tagRequest(ctx: SimContext) {
  const p = ctx.params;
  const ids = p
    .required('resourceids')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return { ids, rawType: p.required('resourcetype'), pairs: p.map('tags') };
}

function createTags(ctx: SimContext) {
  const { params: p, state: s } = ctx;
  const { ids, rawType, pairs } = tagRequest(ctx);
  if (pairs.length === 0) p.required('tags');
  const run = () => {
    const type = resourceType(rawType);
    for (const pair of pairs) {
      if (pair.key === undefined || pair.key === '') {
        throw SimApiError.invalid('Key for the tag is either null or empty');
      }
      if (pair.value === undefined || pair.value === '') {
        throw SimApiError.invalid(`Value for the key ${pair.key} is either null or empty`);
      }
    }
    for (const id of ids) {
      if (!exists(ctx, type, id)) throw SimApiError.invalid(`Unable to find resource by id ${id} and type ${type}`);
      for (const pair of pairs) {
        if (s.tagsOf(type, id).some((t) => t.key.toLowerCase() === (pair.key ?? '').toLowerCase())) {
          throw SimApiError.invalid(`A tag with key ${pair.key ?? ''} already exists on ${type} ${id}`);
        }
      }
    }
    for (const id of ids) {
      for (const pair of pairs) {
        s.addTag({ resourceType: type, resourceId: id, key: pair.key ?? '', value: pair.value ?? '' });
      }
    }
    return { success: true };
  };
  return { kind: 'job' as const, spec: { instanceType: null, instanceId: null, run } };
}

function deleteTags(ctx: SimContext) {
  const s = ctx.state;
  const { ids, rawType, pairs } = tagRequest(ctx);
  const run = () => {
    const type = resourceType(rawType);
    let removed = 0;
    for (const id of ids) {
      const key = `${type}:${id}`;
      const list = s.tags.get(key) ?? [];
      const keep = list.filter(
        (t) =>
          pairs.length > 0 &&
          !pairs.some(
            (pair) =>
              (pair.key ?? '').toLowerCase() === t.key.toLowerCase() &&
              (pair.value === undefined || pair.value.toLowerCase() === t.value.toLowerCase()),
          ),
      );
      removed += list.length - keep.length;
      if (keep.length > 0) s.tags.set(key, keep);
      else s.tags.delete(key);
    }
    if (removed === 0) throw SimApiError.invalid('Unable to find tags by parameters specified');
    s.touch();
    return { success: true };
  };
  return { kind: 'job' as const, spec: { instanceType: null, instanceId: null, run } };
}

/** The tag commands. */
export const TAG_COMMANDS: Readonly<Record<string, SimCommand>> = {
  listTags: { handle: listTags },
  createTags: { cmdClass: `${PKG}.CreateTagsCmd`, handle: createTags },
  deleteTags: { cmdClass: `${PKG}.DeleteTagsCmd`, handle: deleteTags },
};
