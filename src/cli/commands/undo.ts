import { undoAction } from '../../engine/undo.js';
import { UsageError } from '../../errors.js';
import type { Command } from '../command.js';
import { errorLine } from '../error-line.js';
import { EXIT } from '../exit-codes.js';
import { usingEngine } from '../using-engine.js';

/** `oma-reconciler undo ACTION_ID`. */
export function undoCommand(common: string): Command {
  return {
    name: 'undo',
    summary: 'Reverse a reversible action (quarantine, export removal) from its audit record.',
    usage: `Usage: oma-reconciler undo ACTION_ID

Reverse a reversible action recorded in the audit log (see 'explain' or GET /api/v1/actions):
a quarantine (untag, reattach where it was), an export removal (restore the file from its backup and
the row), a device-mapping or row deletion. Exit codes: 0 undone, 1 not reversible or failed, 2 error.

${common}
`,
    options: {},
    maxPositionals: 1,
    run: async (args) => {
      const id = args.positionals[0];
      if (id === undefined || !/^\d{1,20}$/.test(id) || args.positionals.length > 1) throw new UsageError('undo takes one numeric ACTION_ID');
      return usingEngine(args, {}, async ({ engine }) => {
        const result = await undoAction(engine.deps, id, `cli:${args.env.USER ?? 'unknown'}`);
        if (result.status === 'not-found') {
          args.stderr.write(errorLine(`undo: ${result.message}`));
          return EXIT.error;
        }
        (result.status === 'undone' ? args.stdout : args.stderr).write(`${result.status}: ${result.message}\n`);
        return result.status === 'undone' ? EXIT.ok : EXIT.drift;
      });
    },
  };
}
