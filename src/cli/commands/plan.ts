import { loadWorld } from '../../world/world-file.js';
import { planOnlyPass } from '../../engine/plan-only-pass.js';
import { planPass } from '../../engine/run-pass.js';
import { renderPlanTable, toPlanJson } from '../../engine/plan-json.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { parseGraceSeconds, parseKinds } from '../parse-kinds.js';
import { usingEngine } from '../using-engine.js';
import { UsageError } from '../../errors.js';

/** `oma-reconciler plan`: one observation + diff; prints drift and gated actions; changes nothing. */
export function planCommand(common: string): Command {
  return {
    name: 'plan',
    summary: 'Observe every source once, diff, and print drift items with the actions that would run. Changes nothing.',
    usage: `Usage: oma-reconciler plan [--output table|json] [--only KIND,...] [--world FILE] [--grace-seconds N]

Observe every source once, diff desired against actual, and print each drift item with the actions
that would run and each gate decision. Changes nothing (not even first-seen times).

Options:
  --output table|json  human table (default) or the plan JSON of the contract
  --only KIND,...      only these drift kinds
  --world FILE         plan against a saved world (STATE_DIR/worlds/…) instead of live sources
  --grace-seconds N    override every grace period for this run
  --save-world         also save the observed world under STATE_DIR/worlds/

  --allow-incomplete   exit 0/1 even when a needed source is incomplete (the old contract)

Exit codes: 0 no drift, 1 drift, 2 error or could not tell: a source the evaluated kinds need
(database, cloudstack, nbd, devices) is incomplete. The drift found on complete sources is still
printed, marked partial (JSON: summary.complete = false). --allow-incomplete turns that 2 back
into 0/1.

${common}
`,
    options: {
      output: { type: 'string' },
      only: { type: 'string' },
      world: { type: 'string' },
      'grace-seconds': { type: 'string' },
      'save-world': { type: 'boolean' },
      'allow-incomplete': { type: 'boolean' },
    },
    run: async (args) => {
      const output = args.values.output ?? 'table';
      if (output !== 'table' && output !== 'json') {
        throw new UsageError(`--output: ${JSON.stringify(output)} is not table or json`);
      }
      const only = parseKinds(args.values.only);
      const graceOverride = parseGraceSeconds(args.values['grace-seconds']);
      const worldFile = typeof args.values.world === 'string' ? args.values.world : undefined;
      const world = worldFile === undefined ? undefined : await loadWorld(worldFile);
      return usingEngine(args, {}, { probeDatabase: world === undefined }, async ({ engine, passId, config }) => {
        const planned = await planPass(engine.deps, {
          ...planOnlyPass(passId, AbortSignal.timeout(config.schedule.passTimeoutMs)),
          graceOverride,
          ...(only ? { only } : {}),
          ...(world ? { world } : {}),
        });
        if (args.values['save-world'] === true && !world) {
          const { saveWorld } = await import('../../world/world-file.js');
          args.stderr.write(`world saved to ${await saveWorld(config.stateDir, planned.world)}\n`);
        }
        const plan = toPlanJson(planned.world, planned.gated, planned.mode, only);
        args.stdout.write(output === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanTable(plan));
        if (!plan.summary.complete && args.values['allow-incomplete'] !== true) return EXIT.error;
        return plan.summary.drift === 0 ? EXIT.ok : EXIT.drift;
      });
    },
  };
}
