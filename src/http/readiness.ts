import { coerceError } from '../errors.js';
import type { CheckResult, EnginePort } from '../reconcile/engine-port.js';
import type { DaemonState, LeadershipStatus } from '../reconcile/daemon-status.js';

/** The named checks of `/readyz`. */
export const READY_CHECKS = ['database', 'cloudstack', 'nbd', 'leadership'] as const;
export type ReadyCheck = (typeof READY_CHECKS)[number];

/** What `/readyz` answers (HTTP 200 when `ready`, else 503). */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly state: DaemonState;
  readonly role: 'leader' | 'standby';
  readonly checks: Readonly<Partial<Record<ReadyCheck, CheckResult>>>;
}

/** What readiness is computed from. */
export interface ReadinessSources {
  readonly engine: Pick<EnginePort, 'checks'>;
  readonly lifecycle: () => DaemonState;
  readonly leadership: () => LeadershipStatus;
  /** Budget for the engine's checks, ms; a slow dependency reads as not ok. */
  readonly timeoutMs: number;
}

function leadershipCheck(s: LeadershipStatus): CheckResult {
  if (!s.connected) return { ok: false, detail: `leader lock session down${s.lastError ? `: ${s.lastError}` : ''}` };
  return { ok: true, detail: s.leader ? 'leader' : 'standby (another instance holds the lock)' };
}

async function engineChecks(
  engine: Pick<EnginePort, 'checks'>,
  timeoutMs: number,
): Promise<Record<'database' | 'cloudstack' | 'nbd', CheckResult>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`checks timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const r = await Promise.race([engine.checks(), timeout]);
    return { database: r.database, cloudstack: r.cloudstack, nbd: r.nbd };
  } catch (e) {
    const failed = { ok: false, detail: coerceError(e).message };
    return { database: failed, cloudstack: failed, nbd: failed };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the named checks (minus `exclude`d ones). Ready = the daemon is `running` and every
 * remaining check is ok. A standby is ready: it observes and serves the plan, it just does not act.
 */
export async function computeReadiness(
  sources: ReadinessSources,
  exclude: ReadonlySet<string> = new Set(),
): Promise<ReadinessReport> {
  const leadership = sources.leadership();
  const all: Record<ReadyCheck, CheckResult> = {
    ...(await engineChecks(sources.engine, sources.timeoutMs)),
    leadership: leadershipCheck(leadership),
  };
  const checks: Partial<Record<ReadyCheck, CheckResult>> = {};
  for (const name of READY_CHECKS) if (!exclude.has(name)) checks[name] = all[name];
  const state = sources.lifecycle();
  const ready = state === 'running' && Object.values(checks).every((c) => c.ok);
  return { ready, state, role: leadership.leader ? 'leader' : 'standby', checks };
}
