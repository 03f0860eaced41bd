/**
 * Listing mechanics shared by every `list*` command: visibility (`listall`, account, project),
 * OR-ed tag filters, a per-state-version query cache (paging through 150,000 volumes filters
 * once, not once per page) and CloudStack's paging and envelope rules.
 */
import { SimApiError } from './sim-api-error.js';
import type { SimContext } from './sim-context.js';
import type { SimTag } from './sim-types.js';

type Json = Record<string, unknown>;

/** The parameters every listing of owned resources (volumes, snapshots, VMs) filters on besides its own: zone, keyword, owner. */
export const OWNED_LIST_PARAMS = ['zoneid', 'keyword', 'listall', 'account', 'projectid'] as const;

/** The cache key of a list query: command, caller and every parameter except paging. */
export function queryKey(ctx: SimContext, names: readonly string[]): string {
  const parts = names.map((n) => `${n}=${ctx.params.get(n) ?? ''}`);
  const tags = ctx.params.map('tags').map((t) => `${t.key ?? ''}:${t.value ?? ''}`);
  return `${ctx.params.command}|${ctx.caller.name}|${parts.join('&')}|${tags.join(',')}`;
}

/** Whether the caller sees a resource of `account`/`projectId` under `listall`/`account`/`projectid`. */
export function visibleTo(ctx: SimContext): (account: string, projectId: string | null) => boolean {
  const listAll = ctx.params.bool('listall', false);
  const projectParam = ctx.params.get('projectid');
  const accountParam = ctx.params.get('account');
  return (account, projectId) => {
    // Project resources appear only when asked for (projectid=<id>, or -1 for every project).
    if (projectId !== null) {
      if (projectParam === undefined || (projectParam !== '-1' && projectParam !== projectId)) return false;
    } else if (projectParam !== undefined) {
      return false;
    }
    if (accountParam !== undefined) {
      return accountParam === account && (ctx.caller.admin || account === ctx.caller.name);
    }
    if (projectId !== null) return true;
    // Without listall even a root admin sees only its own account's resources.
    return account === ctx.caller.name || (ctx.caller.admin && listAll);
  };
}

/** The `tags[i].key/value` filter: a resource matches when ANY pair matches (CloudStack ORs them). */
export function tagFilter(ctx: SimContext): ((tags: readonly SimTag[]) => boolean) | null {
  const pairs = ctx.params.map('tags');
  if (pairs.length === 0) return null;
  const wanted = pairs.map((p) => {
    if (p.key === undefined) throw SimApiError.param('Unable to execute API command: tags require a key');
    if (p.value === undefined) throw SimApiError.invalid(`No value is passed in for key ${p.key}`);
    return { key: p.key.toLowerCase(), value: p.value.toLowerCase() };
  });
  return (tags) =>
    tags.some((t) => wanted.some((w) => w.key === t.key.toLowerCase() && w.value === t.value.toLowerCase()));
}

/** Applies `page`/`pagesize` and builds the list envelope (`{}`, `{count}`, or `{count, item[]}`). */
export function paginate<T>(ctx: SimContext, items: readonly T[], itemKey: string, render: (item: T) => Json): Json {
  const { params, config, fault } = ctx;
  const page = params.int('page');
  const pageSize = params.int('pagesize');
  if (page !== undefined && pageSize === undefined) {
    throw SimApiError.param('"pagesize" parameter is required when "page" is specified');
  }
  if (pageSize !== undefined && page === undefined && pageSize !== -1) {
    throw SimApiError.param('"page" parameter is required when "pagesize" is specified');
  }
  if (pageSize !== undefined && pageSize > config.maxPageSize) {
    throw SimApiError.invalid(`Page size can't exceed max allowed page size value: ${config.maxPageSize}`);
  }
  if (pageSize !== undefined && pageSize < 1 && pageSize !== -1) {
    throw params.invalidValue('pagesize', String(pageSize));
  }
  const size = pageSize === -1 ? items.length : (pageSize ?? config.maxPageSize);
  const start = pageSize === -1 ? 0 : (Math.max(1, page ?? 1) - 1) * size;
  let slice = items.slice(start, start + size);
  if (fault?.dropItems !== undefined) slice = slice.slice(0, Math.max(0, slice.length - fault.dropItems));
  const count = items.length + (fault?.countSkew ?? 0);
  if (count <= 0 && slice.length === 0) return {};
  if (slice.length === 0) return { count };
  return { count, [itemKey]: slice.map(render) };
}
