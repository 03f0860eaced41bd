import { requestCleanup } from '../../engine/cleanup-request.js';
import { readCleanupRequest, writeCleanupStatus } from '../../engine/store/cleanup-requests.js';
import { UsageError } from '../../errors.js';
import type { Command } from '../command.js';
import { errorLine } from '../error-line.js';
import { EXIT } from '../exit-codes.js';
import { renderCleanupStatus } from '../render-cleanup-status.js';
import { usingEngine } from '../using-engine.js';

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;

/** `oma-reconciler cleanup request|status|cancel JOB_ID`: the annotation helpers. */
export function cleanupCommand(common: string): Command {
  return {
    name: 'cleanup',
    summary: 'Request, inspect or cancel the cleanup of a replication or failover job.',
    usage: `Usage: oma-reconciler cleanup request JOB_ID [--keep-volumes] [--by NAME]
       oma-reconciler cleanup status JOB_ID [--output table|json]
       oma-reconciler cleanup cancel JOB_ID

JOB_ID is a replication job id or a failover job id. 'request' sets the annotation
oma-reconciler/cleanup=requested on the job row (as an operator or the GUI would); the running
daemon (or the next 'apply') carries it out behind every gate. 'status' prints the request record,
which outlives a job row the cleanup deletes. 'cancel' withdraws a request that has not started.
'status' prints a table (or the JSON record with --output json).
Exit codes: 0 ok (request accepted, status accepted/running/done), 1 the request was refused or
failed, 2 unknown job or error.

Options:
  --keep-volumes       a replication-job cleanup keeps the CloudStack volumes
  --by NAME            who asks (recorded); default $USER

${common}
`,
    options: { 'keep-volumes': { type: 'boolean' }, by: { type: 'string' }, output: { type: 'string' } },
    maxPositionals: 2,
    run: async (args) => {
      const [verb, jobId, ...extra] = args.positionals;
      if (!verb || !['request', 'status', 'cancel'].includes(verb) || jobId === undefined || extra.length > 0) {
        throw new UsageError('cleanup takes request|status|cancel and one JOB_ID');
      }
      if (!JOB_ID.test(jobId)) throw new UsageError(`JOB_ID ${JSON.stringify(jobId.slice(0, 80))} is not a job id`);
      const output = args.values.output ?? 'table';
      if (output !== 'table' && output !== 'json') {
        throw new UsageError(`--output: expected table or json, got ${JSON.stringify(output)}`);
      }
      const by =
        typeof args.values.by === 'string' ? args.values.by.slice(0, 200) : `cli:${args.env.USER ?? 'unknown'}`;
      return usingEngine(args, {}, async ({ engine }) => {
        const db = engine.deps.database.db;
        if (verb === 'request') {
          const answer = await requestCleanup(db, jobId, by, args.values['keep-volumes'] === true, engine.deps.clock());
          args.stdout.write(`${answer.outcome}: ${answer.message}\n`);
          return answer.outcome === 'accepted' || answer.outcome === 'already-requested' ? EXIT.ok : EXIT.error;
        }
        const record = await readCleanupRequest(db, jobId);
        if (!record) {
          args.stderr.write(errorLine(`cleanup: no cleanup request for ${jobId}`));
          return EXIT.error;
        }
        if (verb === 'status') {
          args.stdout.write(output === 'json' ? `${JSON.stringify(record, null, 2)}\n` : renderCleanupStatus(record));
          return record.status === 'refused' || record.status === 'failed' ? EXIT.drift : EXIT.ok;
        }
        if (record.status !== 'accepted') {
          args.stderr.write(
            errorLine(
              `cleanup: the request for ${jobId} is ${record.status}; only an accepted request can be cancelled`,
            ),
          );
          return EXIT.error;
        }
        await db
          .updateTable('oma_reconciler_cleanup_requests')
          .set({ cancelled: 1 })
          .where('job_id', '=', jobId)
          .execute();
        await writeCleanupStatus(
          db,
          {
            jobId,
            jobKind: record.job_kind === 'replication' ? 'replication' : 'failover',
            status: 'refused',
            message: `cancelled by ${by}`,
          },
          engine.deps.clock(),
        );
        args.stdout.write(`cancelled the cleanup request for ${jobId}\n`);
        return EXIT.ok;
      });
    },
  };
}
