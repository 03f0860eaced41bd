import { z } from 'zod';
import type { EnginePort, FailedExecutionCleanupAnswer, JobCleanupAnswer } from '../reconcile/engine-port.js';
import { requireBearerToken } from './bearer-auth.js';
import { HttpError } from './http-error.js';
import { sendJson } from './json-response.js';
import { pathJobId, pathText, queryInt, readJsonBody } from './request-input.js';
import type { Route, RouteContext } from './route.js';

/** What the API routes need. */
export interface ApiDeps {
  readonly engine: EnginePort;
  /** Bearer token of the mutating routes; undefined = they answer 403. */
  readonly apiToken: string | undefined;
  /** Body size limit, bytes. */
  readonly bodyLimit: number;
  /** Upper bound of `?wait=SECONDS` on cleanup-failed. */
  readonly maxWaitSeconds: number;
}

/** Who asked: a short operator name, or `api` when the body does not say. */
const by = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N} ._@-]+$/u, 'letters, digits, space and . _ @ - only');
const jobCleanupBody = z.strictObject({ keep_volumes: z.boolean().optional(), by: by.optional() });
const failedCleanupBody = z.strictObject({ by: by.optional() });

const JOB_CLEANUP_STATUS: Readonly<Record<JobCleanupAnswer['outcome'], number>> = {
  accepted: 202,
  'already-requested': 200,
  'not-found': 404,
  refused: 409,
};

/** The OMA GUI passes 2xx bodies through and turns anything else into its own error toast. */
function failedCleanupHttpStatus(answer: FailedExecutionCleanupAnswer): number {
  switch (answer.status) {
    case 'done':
      return answer.success ? 200 : 500;
    case 'accepted':
    case 'running':
      return 202;
    case 'not-found':
      return 404;
    case 'refused':
      return 409;
    case 'failed':
      return 500;
  }
}

function notFound(what: string): HttpError {
  return new HttpError(404, 'not_found', what);
}

/** The `/api/v1` routes of the contract. */
export function apiRoutes(deps: ApiDeps): Route[] {
  const { engine } = deps;
  const authorize = ({ req }: RouteContext): void => {
    requireBearerToken(req.headers.authorization, deps.apiToken);
  };
  return [
    {
      method: 'GET',
      pattern: '/api/v1/plan',
      handle: ({ res }) => {
        const plan = engine.lastPlan();
        if (plan === null) throw new HttpError(503, 'no_plan', 'no pass has completed yet; retry shortly');
        sendJson(res, 200, plan);
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/actions',
      handle: async ({ res, query }) => {
        const limit = queryInt(query, 'limit', { min: 1, max: 1000, fallback: 50 });
        sendJson(res, 200, { actions: await engine.recentActions(limit) });
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/explain/:subject',
      handle: async ({ res, params }) => {
        const subject = pathText(params.subject ?? '', 'subject', 255);
        const found = await engine.explain(subject);
        if (found === null || found === undefined) {
          throw notFound(`nothing known about subject ${JSON.stringify(subject)}`);
        }
        sendJson(res, 200, found);
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/cleanups/:job_id',
      handle: async ({ res, params }) => {
        const jobId = pathJobId(params.job_id ?? '');
        const found = await engine.cleanupStatus(jobId);
        if (found === null || found === undefined) throw notFound(`no cleanup request for job ${jobId}`);
        sendJson(res, 200, found);
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/jobs/:job_id/cleanup',
      handle: async (ctx) => {
        authorize(ctx);
        const jobId = pathJobId(ctx.params.job_id ?? '');
        const body = await readJsonBody(ctx.req, jobCleanupBody, deps.bodyLimit);
        const answer = await engine.requestJobCleanup(jobId, body.by ?? 'api', body.keep_volumes ?? false);
        sendJson(ctx.res, JOB_CLEANUP_STATUS[answer.outcome], { job_id: jobId, ...answer });
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/failover/:vm_name/cleanup-failed',
      handle: async (ctx) => {
        authorize(ctx);
        // A VM name is looked up as data only; it never reaches a path, a shell or SQL text.
        const vmName = pathText(ctx.params.vm_name ?? '', 'vm_name', 255);
        const wait = queryInt(ctx.query, 'wait', { min: 0, max: deps.maxWaitSeconds, fallback: 0 });
        const body = await readJsonBody(ctx.req, failedCleanupBody, deps.bodyLimit);
        const answer = await engine.requestFailedExecutionCleanup(vmName, body.by ?? 'api', wait, ctx.signal);
        sendJson(ctx.res, failedCleanupHttpStatus(answer), {
          success: answer.success,
          message: answer.message,
          vm_name: vmName,
          job_id: answer.job_id,
          status: answer.status,
        });
      },
    },
  ];
}
