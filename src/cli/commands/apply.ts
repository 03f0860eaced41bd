import { Leadership } from '../../daemon/leadership.js';
import { runPass } from '../../engine/run-pass.js';
import { renderPlanTable } from '../../engine/plan-json.js';
import { createLogger } from '../../log.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { leaderLockName } from '../../compose/leader-lock-name.js';
import { parseGraceSeconds, parseKinds } from '../parse-kinds.js';
import { usingEngine } from '../using-engine.js';

/** `oma-reconciler apply`: one pass that acts behind every gate, under the leader lock. */
export function applyCommand(common: string): Command {
  return {
    name: 'apply',
    summary: 'One pass that acts (all gates apply); prints each action outcome.',
    usage: `Usage: oma-reconciler apply [--only KIND,...] [--dry-run] [--grace-seconds N]

Run one pass that acts: every gate applies (ownership, grace, in-flight, budget, sanity…). It takes
the leader lock first; while a daemon holds it, apply only plans and reports every action blocked
by not-leader.

Options:
  --only KIND,...      only these drift kinds
  --dry-run            decide everything, act on nothing (actions reported as dry_run)
  --grace-seconds N    override every grace period for this run (drills, tests)
  --reset-budget       clear the dry-run ceiling a tripped budget left (after reviewing why it tripped)

  --allow-incomplete   exit 0/1 even when a needed source is incomplete (the old contract)

Exit codes: 0 all done or nothing to do, 1 some blocked or failed, 2 error or could not tell: a
source the evaluated kinds need is incomplete (only the kinds whose sources are complete were
repaired; the plan is marked partial). --allow-incomplete turns that 2 back into 0/1.

${common}
`,
    options: {
      only: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'grace-seconds': { type: 'string' },
      'reset-budget': { type: 'boolean' },
      'allow-incomplete': { type: 'boolean' },
    },
    run: async (args) => {
      const only = parseKinds(args.values.only);
      const graceOverride = parseGraceSeconds(args.values['grace-seconds']);
      return usingEngine(args, {}, async ({ engine, passId, config }) => {
        const leadership = new Leadership({
          databaseUrl: config.databaseUrl,
          logger: createLogger('silent'),
          lockName: leaderLockName(config.databaseUrl),
          retryMs: 60_000,
        });
        try {
          await leadership.start();
          const leader = leadership.isLeader();
          const lockStatus = leadership.status();
          // Not connected is not "another instance": say why the lock session could not open.
          if (!leader && !lockStatus.connected) {
            throw new Error(`cannot take the leader lock: ${lockStatus.lastError ?? 'no session to the database'}`);
          }
          if (args.values['reset-budget'] === true && !leader) {
            args.stderr.write('apply: --reset-budget ignored: only the leader may reset the budget\n');
          } else if (args.values['reset-budget'] === true) {
            const ceiling = await engine.resetModeCeiling();
            args.stderr.write(
              ceiling
                ? `apply: budget reset (it had tripped: ${ceiling.reason ?? 'no reason recorded'})\n`
                : 'apply: the budget had not tripped\n',
            );
          }
          if (!leader) args.stderr.write('apply: another instance holds the leader lock; nothing will be changed\n');
          const result = await runPass(engine.deps, {
            passId,
            signal: AbortSignal.timeout(config.schedule.passTimeoutMs),
            act: leader,
            isLeader: leader,
            fence: () => leadership.fence(),
            graceOverride,
            ...(only ? { only } : {}),
            ...(args.values['dry-run'] === true ? { mode: 'dry-run' as const } : {}),
          });
          args.stdout.write(renderPlanTable(result.plan));
          for (const e of result.executed) {
            args.stdout.write(
              `${e.result.padEnd(8)} ${e.action} ${e.driftId}${e.auditId ? ` (action ${e.auditId})` : ''}: ${e.message}\n`,
            );
          }
          if (result.remaining.length > 0) {
            args.stdout.write(`still drifting after acting: ${result.remaining.join(', ')}\n`);
          }
          const failed = result.executed.some((e) => e.result === 'error');
          if (!result.plan.summary.complete && args.values['allow-incomplete'] !== true) return EXIT.error;
          return failed || result.report.blocked.length > 0 ? EXIT.drift : EXIT.ok;
        } finally {
          await leadership.close();
        }
      });
    },
  };
}
