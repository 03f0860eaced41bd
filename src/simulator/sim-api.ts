/**
 * One `/client/api` request, end to end: format, command lookup (case-sensitive), signature
 * (401 envelope), control characters (431), fault injection, the handler, and the envelope.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SimApiError } from './sim-api-error.js';
import type { SimConfig } from './sim-config.js';
import type { SimCommand } from './sim-context.js';
import type { FaultRule, SimFaults } from './sim-faults.js';
import type { SimJobs } from './sim-jobs.js';
import type { ListCache } from './list-cache.js';
import { SimParams } from './sim-params.js';
import { verifySignature } from './sim-signature.js';
import type { SimState } from './sim-state.js';
import type { SimStats } from './sim-stats.js';
import { toXml } from './sim-xml.js';

/** What the HTTP layer sends back; `hang` = never answer. */
export type SimAnswer =
  | { readonly hang: true }
  | {
      readonly hang: false;
      readonly status: number;
      readonly contentType: string;
      readonly body: string;
      readonly description?: string;
    };

export interface SimApiDeps {
  readonly state: SimState;
  readonly jobs: SimJobs;
  readonly faults: SimFaults;
  readonly config: SimConfig;
  readonly cache: ListCache;
  readonly stats: SimStats;
  readonly commands: ReadonlyMap<string, SimCommand>;
  readonly now: () => number;
}

const JSON_TYPE = 'application/json; charset=UTF-8';

function lookup(raw: ReadonlyMap<string, string>, name: string): string | undefined {
  let found: string | undefined;
  for (const [k, v] of raw) if (k.toLowerCase() === name) found = v;
  return found;
}

/** Answers one API request; `raw` holds the decoded parameters with names as sent. */
export async function handleApiRequest(
  deps: SimApiDeps,
  raw: ReadonlyMap<string, string>,
  signal: AbortSignal,
): Promise<SimAnswer> {
  const json = lookup(raw, 'response')?.toLowerCase() === 'json';
  const commandName = lookup(raw, 'command');
  const command = commandName === undefined ? undefined : deps.commands.get(commandName);
  const wrapper = command && commandName ? `${commandName.toLowerCase()}response` : 'errorresponse';
  const answer = (status: number, inner: Record<string, unknown>, description?: string): SimAnswer => {
    const envelope = { [wrapper]: inner };
    const body = json ? JSON.stringify(envelope) : toXml(envelope);
    return {
      hang: false,
      status,
      contentType: json ? JSON_TYPE : 'text/xml; charset=UTF-8',
      body,
      ...(description !== undefined ? { description } : {}),
    };
  };
  const fail = (e: SimApiError): SimAnswer =>
    answer(
      e.errorcode,
      {
        uuidList: [],
        errorcode: e.errorcode,
        ...(e.cserrorcode !== null ? { cserrorcode: e.cserrorcode } : {}),
        errortext: e.errortext,
      },
      e.errorcode === 401 ? undefined : e.errortext,
    );

  const verdict = verifySignature(raw, (key) => deps.state.apiUsers.get(key)?.secretKey, deps.now());
  if (!command || !commandName || !verdict.ok) {
    deps.stats.rejected++;
    return fail(SimApiError.unauthorized());
  }
  const caller = deps.state.accounts.get(deps.state.apiUsers.get(verdict.apiKey)?.account ?? '');
  if (!caller) return fail(SimApiError.unauthorized());
  try {
    SimParams.checkPrintable(raw);
    const params = new SimParams(commandName, raw);
    deps.stats.count(
      commandName,
      verdict.apiKey,
      params.get('id') ?? params.get('volumeid') ?? params.get('virtualmachineid') ?? null,
    );
    const page = params.get('page');
    const fault = deps.faults.fire(commandName, page !== undefined && /^\d+$/.test(page) ? Number(page) : null);
    if (fault?.latencyMs) await sleep(fault.latencyMs, undefined, { signal });
    if (fault?.hang) return { hang: true };
    const injected = fault ? injectedError(fault) : null;
    const html = (): SimAnswer => ({
      hang: false,
      status: fault?.errorStatus ?? 503,
      contentType: 'text/html',
      body: '<html><body><h1>Service Unavailable</h1></body></html>',
    });
    const lostAnswer = injected !== null && fault?.afterExecute === true;
    if (injected !== null && !lostAnswer) {
      if (injected === 'html') return html();
      throw injected;
    }
    const outcome = command.handle({
      state: deps.state,
      jobs: deps.jobs,
      config: deps.config,
      params,
      caller,
      cache: deps.cache,
      fault,
      now: deps.now,
    });
    let done: SimAnswer;
    if (outcome.kind === 'sync') done = answer(200, outcome.body);
    else {
      const job = deps.jobs.submit(commandName, command.cmdClass ?? commandName, caller, outcome.spec, {
        durationMs: fault?.jobDurationMs,
        hang: fault?.jobHang,
        failure: fault?.jobFailure,
      });
      done = answer(
        200,
        outcome.createdId !== undefined ? { id: outcome.createdId, jobid: job.id } : { jobid: job.id },
      );
    }
    // The work is done; only the answer is lost on its way back (a proxy's 5xx).
    if (lostAnswer) return injected === 'html' ? html() : fail(injected);
    return done;
  } catch (e) {
    if (e instanceof SimApiError) return fail(e);
    if (signal.aborted) return { hang: true };
    return fail(SimApiError.internal(e instanceof Error ? e.message : String(e)));
  }
}

function injectedError(fault: FaultRule): SimApiError | 'html' | null {
  switch (fault.errorStatus) {
    case undefined:
      return null;
    case 429:
      return new SimApiError(
        429,
        9999,
        `The given user has reached his/her account api limit, please retry after [${fault.retryAfterMs ?? 200}] ms.`,
      );
    case 530:
      return SimApiError.internal('Internal error executing command, please contact your system administrator');
    case 534:
      return new SimApiError(534, 4380, 'Resource unavailable: the primary storage is not reachable');
    default:
      return 'html';
  }
}
