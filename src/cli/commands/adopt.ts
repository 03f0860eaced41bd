import { ADOPTABLE_TYPES, adoptSubject, type AdoptableType } from '../../engine/adopt.js';
import { UsageError } from '../../errors.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { usingEngine } from '../using-engine.js';

/** A CloudStack id as the ledger stores it: letters, digits and `-`, at most 255 characters. */
const OBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,254}$/;

/** `oma-reconciler adopt volume|snapshot|vm ID --reason TEXT [--by NAME]`. */
export function adoptCommand(common: string): Command {
  return {
    name: 'adopt',
    summary: "Declare a CloudStack object that only looks like the appliance's to be ours (undoable).",
    usage: `Usage: oma-reconciler adopt volume|snapshot|vm ID --reason TEXT [--by NAME]

A CloudStack object the OMA database never referenced is never touched, even when it is named like
an appliance object ('explain ID' says so). If you know it is an appliance leftover, adopt it: it
is recorded in the ownership ledger as adopted, and from the next pass on the reconcilers may act
on it behind every other gate (grace, budget, mode...). The adoption is in the audit log; reverse
it with 'oma-reconciler undo ACTION_ID'. The object must exist in CloudStack now.
Exit codes: 0 adopted or already adopted, 1 not found or CloudStack unreachable, 2 error.

Options:
  --reason TEXT        why it is ours (required; kept in the ledger and the audit log)
  --by NAME            who adopts it (recorded); default $USER

${common}
`,
    options: { reason: { type: 'string' }, by: { type: 'string' } },
    maxPositionals: 2,
    run: async (args) => {
      const [type, id, ...extra] = args.positionals;
      if (
        type === undefined ||
        !(ADOPTABLE_TYPES as readonly string[]).includes(type) ||
        id === undefined ||
        extra.length > 0
      ) {
        throw new UsageError('adopt takes volume|snapshot|vm and one ID');
      }
      if (!OBJECT_ID.test(id)) throw new UsageError(`ID ${JSON.stringify(id.slice(0, 80))} is not a CloudStack id`);
      const reason = typeof args.values.reason === 'string' ? args.values.reason.trim() : '';
      if (reason === '') throw new UsageError("adopt needs --reason TEXT (why the object is the appliance's)");
      if (reason.length > 400) throw new UsageError('--reason: at most 400 characters');
      const by =
        typeof args.values.by === 'string' && args.values.by.trim() !== ''
          ? args.values.by.trim().slice(0, 64)
          : `cli:${args.env.USER ?? 'unknown'}`;
      return usingEngine(args, {}, async ({ engine }) => {
        const result = await adoptSubject(engine.deps, { type: type as AdoptableType, id, reason, by });
        const ok = result.status === 'adopted' || result.status === 'already-owned';
        (ok ? args.stdout : args.stderr).write(`${result.status}: ${result.message}\n`);
        return ok ? EXIT.ok : EXIT.drift;
      });
    },
  };
}
