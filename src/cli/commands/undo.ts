import { releaseUndoHold } from '../../engine/store/undo-holds.js';
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
       oma-reconciler undo --release SUBJECT

Reverse a reversible action recorded in the audit log (see 'explain' or GET /api/v1/actions):
a quarantine (untag, reattach where it was), an export removal (restore the file from its backup and
the row), a device-mapping or row deletion. Live state is checked first: an action that is no longer
the latest on its subject, or whose subject changed since (volume deleted, row replaced, export
recreated), is refused with what changed. A successful undo holds its subject: the reconciler
reports it but takes no action on it (shown by 'explain' as paused) until --release SUBJECT.

Options:
  --release SUBJECT    release the hold an undo left on SUBJECT (a volume id, export name, …)

Exit codes: 0 undone (or released), 1 not reversible, refused or failed, 2 error.

${common}
`,
    options: { release: { type: 'string' } },
    maxPositionals: 1,
    run: async (args) => {
      const release = args.values.release;
      if (typeof release === 'string') {
        if (args.positionals.length > 0) throw new UsageError('undo --release SUBJECT takes no ACTION_ID');
        return usingEngine(args, {}, async ({ engine }) => {
          const released = await releaseUndoHold(engine.deps.database.db, release);
          (released ? args.stdout : args.stderr).write(
            released ? `released: ${release} is no longer held\n` : `undo: ${release} is not held\n`,
          );
          return released ? EXIT.ok : EXIT.drift;
        });
      }
      const id = args.positionals[0];
      if (id === undefined || !/^\d{1,20}$/.test(id) || args.positionals.length > 1) {
        throw new UsageError('undo takes one numeric ACTION_ID');
      }
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
