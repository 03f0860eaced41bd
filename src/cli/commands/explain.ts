import { planOnlyPass } from '../../engine/plan-only-pass.js';
import { planPass } from '../../engine/run-pass.js';
import { explainSubject } from '../../engine/explain.js';
import { relatedSubjects } from '../../engine/related-subjects.js';
import { listActions } from '../../engine/store/audit-log.js';
import { UsageError } from '../../errors.js';
import type { Command } from '../command.js';
import { errorLine } from '../error-line.js';
import { EXIT } from '../exit-codes.js';
import { usingEngine } from '../using-engine.js';
import { renderExplanation } from '../render-explanation.js';

/** `oma-reconciler explain SUBJECT`: every source's facts, matching drift, gates and recorded actions. */
export function explainCommand(common: string): Command {
  return {
    name: 'explain',
    summary: 'Show what every source says about SUBJECT, matching drift rules, gates and recorded actions.',
    usage: `Usage: oma-reconciler explain SUBJECT [--output table|json]

SUBJECT is a CloudStack volume, snapshot or VM id, an export name, a job id, a context id or a VM
name. Prints what every source says about it, which drift rules match, each gate's decision, and
the actions recorded for it. Exit codes: 0 found, 2 unknown.

${common}
`,
    options: { output: { type: 'string' } },
    maxPositionals: 1,
    run: async (args) => {
      const subject = args.positionals[0];
      if (subject === undefined || args.positionals.length > 1) {
        throw new UsageError('explain takes exactly one SUBJECT');
      }
      return usingEngine(args, {}, async ({ engine, passId, config }) => {
        const planned = await planPass(
          engine.deps,
          planOnlyPass(passId, AbortSignal.timeout(config.schedule.passTimeoutMs)),
        );
        const explanation = explainSubject(planned.world, planned.gated, subject);
        const actions = await listActions(engine.deps.database.db, 50, relatedSubjects(planned.world, subject));
        if (!explanation && actions.length === 0) {
          args.stderr.write(
            errorLine(`explain: no source, drift item or recorded action mentions ${JSON.stringify(subject)}`),
          );
          return EXIT.error;
        }
        if (args.values.output === 'json') {
          args.stdout.write(`${JSON.stringify({ ...explanation, recordedActions: actions }, null, 2)}\n`);
        } else args.stdout.write(renderExplanation(subject, explanation, actions));
        return EXIT.ok;
      });
    },
  };
}
