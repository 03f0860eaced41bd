import { connectDatabase } from '../../db/connect.js';
import { migrate } from '../../db/migrate.js';
import { loadConfig } from '../../config/load-config.js';
import { redactUrl } from '../../log.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { configSources } from '../config-sources.js';

/** `oma-reconciler migrate [--dry-run]`: applies the reconciler's own migrations to `migratekit_oma`. */
export function migrateCommand(common: string): Command {
  return {
    name: 'migrate',
    summary:
      "Apply oma-reconciler's own migrations (annotations columns, audit, ledger…) to an existing migratekit_oma.",
    usage: `Usage: oma-reconciler migrate [--dry-run]

Apply oma-reconciler's own migrations to the database of DATABASE_URL: the annotations columns,
fk_failover_replication, and the reconciler's tables. Safe to run twice; refuses a database whose
schema is newer than this build. Exit codes: 0 done, 2 error.

Options:
  --dry-run            list the pending migrations without applying them

${common}
`,
    options: { 'dry-run': { type: 'boolean' } },
    run: async (args) => {
      const config = loadConfig(configSources(args));
      const database = connectDatabase(config.databaseUrl, { connectionLimit: 2 });
      try {
        const outcome = await migrate(database.db, 'reconciler', { dryRun: args.values['dry-run'] === true });
        const target = redactUrl(config.databaseUrl);
        if (args.values['dry-run'] === true) {
          args.stdout.write(
            outcome.pending.length === 0
              ? `${target}: up to date\n`
              : `${target}: would apply ${outcome.pending.join(', ')}\n`,
          );
        } else {
          args.stdout.write(
            outcome.applied.length === 0
              ? `${target}: up to date, nothing applied\n`
              : `${target}: applied ${outcome.applied.join(', ')}\n`,
          );
        }
        return EXIT.ok;
      } finally {
        await database.close();
      }
    },
  };
}
