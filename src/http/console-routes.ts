/**
 * The operator console's mutating routes (all behind the bearer token): adopt, undo, end a
 * quarantine now, reset a safety trip. Each is audited by the engine function it calls and asks
 * the loop for a pass so the page shows the effect within a second or two.
 */
import { z } from 'zod';
import type { Config } from '../config/config-schema.js';
import { ADOPTABLE_TYPES, adoptSubject } from '../engine/adopt.js';
import type { Engine } from '../engine/engine.js';
import { expediteDeletion } from '../engine/expedite-deletion.js';
import { resetSafety } from '../engine/reset-safety.js';
import { undoAction } from '../engine/undo.js';
import type { ConsoleState } from './status-page/console-state.js';
import { requireBearerToken } from './bearer-auth.js';
import { HttpError } from './http-error.js';
import { sendJson } from './json-response.js';
import { pathText, readJsonBody } from './request-input.js';
import type { Route, RouteContext } from './route.js';

const by = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N} ._@:-]+$/u, 'letters, digits, space and . _ @ : - only');
const objectId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'a CloudStack id: letters, digits and - only');
const adoptBody = z.strictObject({
  type: z.enum(ADOPTABLE_TYPES),
  id: objectId,
  reason: z.string().trim().min(1).max(400),
  by: by.optional(),
});
const byBody = z.strictObject({ by: by.optional() });

const ADOPT_STATUS = { adopted: 201, 'already-owned': 200, 'not-found': 404, failed: 502 } as const;
const UNDO_STATUS = { undone: 200, 'not-reversible': 409, 'not-found': 404, failed: 500 } as const;

/** What the console routes need. */
export interface ConsoleRouteDeps {
  readonly engine: Engine;
  readonly config: Config;
  readonly state: ConsoleState;
  readonly bodyLimit: number;
}

/** `POST /api/v1/adopt`, `/api/v1/actions/{id}/undo`, `/api/v1/quarantine/{volume_id}/delete-now`, `/api/v1/safety/reset`. */
export function consoleRoutes(deps: ConsoleRouteDeps): Route[] {
  const { engine, state } = deps;
  const authorize = ({ req }: RouteContext): void => {
    requireBearerToken(req.headers.authorization, deps.config.apiToken);
  };
  return [
    {
      method: 'POST',
      pattern: '/api/v1/adopt',
      handle: async (ctx) => {
        authorize(ctx);
        const body = await readJsonBody(ctx.req, adoptBody, deps.bodyLimit);
        const result = await adoptSubject(engine.deps, {
          type: body.type,
          id: body.id,
          reason: body.reason,
          by: body.by ?? 'api',
        });
        if (result.status === 'adopted') state.requestPass();
        sendJson(ctx.res, ADOPT_STATUS[result.status], {
          status: result.status,
          message: result.message,
          action_id: result.actionId,
        });
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/actions/:id/undo',
      handle: async (ctx) => {
        authorize(ctx);
        const id = pathText(ctx.params.id ?? '', 'id', 20);
        if (!/^\d+$/.test(id)) throw new HttpError(400, 'invalid_parameter', 'id: an action id is a number');
        const body = await readJsonBody(ctx.req, byBody, deps.bodyLimit);
        const result = await undoAction(engine.deps, id, body.by ?? 'api');
        if (result.status === 'undone') state.requestPass();
        sendJson(ctx.res, UNDO_STATUS[result.status], {
          status: result.status,
          message: result.message,
          action_id: id,
        });
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/quarantine/:volume_id/delete-now',
      handle: async (ctx) => {
        authorize(ctx);
        const volumeId = objectId.safeParse(pathText(ctx.params.volume_id ?? '', 'volume_id', 255));
        if (!volumeId.success) {
          throw new HttpError(400, 'invalid_parameter', 'volume_id: a CloudStack id: letters, digits and - only');
        }
        const body = await readJsonBody(ctx.req, byBody, deps.bodyLimit);
        const result = await expediteDeletion(engine.deps, volumeId.data, body.by ?? 'api');
        if (result.status === 'expedited') state.requestPass();
        sendJson(
          ctx.res,
          result.status === 'expedited'
            ? 202
            : result.status === 'not-found'
              ? 404
              : result.status === 'refused'
                ? 409
                : 502,
          result,
        );
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/safety/reset',
      handle: async (ctx) => {
        authorize(ctx);
        const body = await readJsonBody(ctx.req, byBody, deps.bodyLimit);
        const result = await resetSafety(engine.deps, body.by ?? 'api');
        state.requestPass();
        sendJson(ctx.res, 200, result);
      },
    },
  ];
}
