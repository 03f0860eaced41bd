/** listZones, listServiceOfferings, listDiskOfferings, listTemplates, and the job queries. */
import { sync, type SimCommand, type SimContext } from '../sim-context.js';
import { paginate } from '../sim-list.js';
import { renderDiskOffering, renderJob, renderServiceOffering, renderTemplate, renderZone } from '../sim-render.js';

const TEMPLATE_FILTERS = ['featured', 'self', 'selfexecutable', 'sharedexecutable', 'executable', 'community', 'all'];

function byId<T extends { readonly id: string }>(ctx: SimContext, items: Iterable<T>): T[] {
  const id = ctx.params.get('id');
  return [...items].filter((x) => id === undefined || x.id === id);
}

function listTemplates(ctx: SimContext) {
  const filter = ctx.params.required('templatefilter').toLowerCase();
  if (!TEMPLATE_FILTERS.includes(filter)) throw ctx.params.invalidValue('templatefilter', filter);
  const own = filter === 'self' || filter === 'selfexecutable';
  const items = byId(ctx, ctx.state.templates.values()).filter((t) =>
    own ? t.account === ctx.caller.name : t.featured || filter === 'all',
  );
  return sync(paginate(ctx, items, 'template', (t) => renderTemplate(ctx.state, t)));
}

function queryAsyncJobResult(ctx: SimContext) {
  const jobId = ctx.params.required('jobid');
  const job = ctx.jobs.get(jobId);
  if (!job || (!ctx.caller.admin && job.account !== ctx.caller.name)) throw ctx.params.invalidValue('jobid', jobId);
  return sync(renderJob(job));
}

function listAsyncJobs(ctx: SimContext) {
  const all = ctx.caller.admin && ctx.params.bool('listall', false);
  const jobs = ctx.jobs.list(all ? null : ctx.caller.name);
  return sync(paginate(ctx, jobs, 'asyncjobs', renderJob));
}

/** Catalog and job commands. */
export const CATALOG_COMMANDS: Readonly<Record<string, SimCommand>> = {
  listZones: { handle: (ctx) => sync(paginate(ctx, byId(ctx, ctx.state.zones.values()), 'zone', renderZone)) },
  listServiceOfferings: {
    handle: (ctx) =>
      sync(paginate(ctx, byId(ctx, ctx.state.serviceOfferings.values()), 'serviceoffering', renderServiceOffering)),
  },
  listDiskOfferings: {
    handle: (ctx) =>
      sync(paginate(ctx, byId(ctx, ctx.state.diskOfferings.values()), 'diskoffering', renderDiskOffering)),
  },
  listTemplates: { handle: listTemplates },
  queryAsyncJobResult: { handle: queryAsyncJobResult },
  listAsyncJobs: { handle: listAsyncJobs },
};
