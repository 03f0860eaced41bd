/**
 * Exit codes that never lie (issue 15): `plan` and `apply` exit 2 when a source the evaluated kinds
 * need is incomplete, still printing the drift found on the complete sources (marked partial);
 * `--allow-incomplete` keeps the plain 0/1. A database that cannot be used is one line naming the
 * server, errno and the server's message (never the password), and `apply` changes nothing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planJsonSchema } from '../../src/engine/plan-json.js';
import { useSettledHarness, type Harness } from '../engine/helpers/appliance-harness.js';
import { auditEntries } from '../engine/helpers/audit.js';
import { contextIn } from '../engine/helpers/inject-drift.js';
import { fingerprint } from '../engine/helpers/read-appliance.js';

const DEAD_CLOUDSTACK = { CLOUDSTACK_API_URL: 'http://127.0.0.1:1/client/api' };

describe('exit codes that never lie', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('plan exits 2 with CloudStack unreachable, marks the plan partial, and --allow-incomplete gives 0 back', async () => {
    const table = await h.cli(['plan'], DEAD_CLOUDSTACK);
    expect(table.code).toBe(2);
    expect(table.stdout).toMatch(/^incomplete sources: cloudstack \(.*127\.0\.0\.1:1.*\)$/m);
    expect(table.stdout).toMatch(/^PARTIAL plan: /m);

    const json = await h.cli(['plan', '--output', 'json'], DEAD_CLOUDSTACK);
    expect(json.code).toBe(2);
    const plan = planJsonSchema.parse(JSON.parse(json.stdout));
    expect(plan.summary).toEqual({ drift: 0, actionsToRun: 0, actionsBlocked: 0, complete: false });

    expect((await h.cli(['plan', '--allow-incomplete'], DEAD_CLOUDSTACK)).code).toBe(0);
    // Kinds that need only the database are complete on their own.
    const dbOnly = await h.cli(
      ['plan', '--output', 'json', '--only', 'stuck-replication-job,cleanup-request'],
      DEAD_CLOUDSTACK,
    );
    expect(dbOnly.code).toBe(0);
    expect(planJsonSchema.parse(JSON.parse(dbOnly.stdout)).summary.complete).toBe(true);
  });

  it('plan still prints the drift found on complete sources, with exit 2', async () => {
    const jobId = contextIn(h, 'replicating').currentJobId ?? '';
    await h.db.db
      .updateTable('replication_jobs')
      .set({ status: 'attaching', updated_at: new Date(Date.now() - 7_200_000), vma_last_poll_at: null })
      .where('id', '=', jobId)
      .execute();
    const run = await h.cli(['plan', '--output', 'json'], DEAD_CLOUDSTACK);
    expect(run.code).toBe(2);
    const plan = planJsonSchema.parse(JSON.parse(run.stdout));
    expect(plan.drift.map((d) => d.kind)).toEqual(['stuck-replication-job']);
    expect(plan.summary.complete).toBe(false);
    expect((await h.cli(['plan', '--allow-incomplete'], DEAD_CLOUDSTACK)).code).toBe(1);
  });

  it('plan exits 2 on a config without any export, naming the base config and conf.d to fix', async () => {
    // The Debian postinst's config: [generic] and includedir only, and conf.d emptied.
    const root = join(h.env.dirs.root, 'no-exports');
    const confDir = join(root, 'conf.d');
    const baseConfig = join(root, 'config');
    await mkdir(confDir, { recursive: true });
    await writeFile(baseConfig, `[generic]\n    user = nbd\n    group = nbd\n    includedir = ${confDir}\n`);
    const run = await h.cli(['plan'], { NBD_BASE_CONFIG: baseConfig, NBD_CONF_DIR: confDir });
    expect(run.code).toBe(2);
    const line = run.stdout.split('\n').find((l) => l.startsWith('incomplete sources: ')) ?? '';
    expect(line).toContain(`nbd (${baseConfig}: no export is configured: the base config ${baseConfig} defines none`);
    expect(line).toContain(`${confDir} holds no *.conf file, so nbd-server would not start`);
    expect(line).toContain(`Fix: restore the exports' files in ${confDir} (copies of the files the reconciler`);
    expect(line).toContain(`or add an export to ${baseConfig}, such as the OMA's placeholder [dummy]`);
  });

  it('apply exits 2 with CloudStack unreachable and writes nothing, even with drift it could act on', async () => {
    await h.db.db
      .deleteFrom('vm_replication_contexts')
      .where('context_id', '=', contextIn(h, 'ready_for_failover').contextId)
      .execute();
    const before = await fingerprint(h);
    const run = await h.cli(['apply', '--grace-seconds', '0'], DEAD_CLOUDSTACK);
    expect(run.code).toBe(2);
    expect(await auditEntries(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('apply exits 2 with an incomplete source and writes nothing', async () => {
    const before = await fingerprint(h);
    const run = await h.cli(['apply', '--grace-seconds', '0'], { NBD_CONF_DIR: '/nonexistent/conf.d' });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^PARTIAL plan: /m);
    expect(await auditEntries(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
    expect(
      (await h.cli(['apply', '--grace-seconds', '0', '--allow-incomplete'], { NBD_CONF_DIR: '/nonexistent/conf.d' }))
        .code,
    ).toBe(0);
  });

  it('says in one line which database could not be used and why, for plan, explain and apply', async () => {
    const url = new URL(h.db.url);
    const refused = `mysql://root@127.0.0.1:1${url.pathname}`;
    for (const command of [['plan'], ['explain', 'anything'], ['apply']]) {
      const run = await h.cli(command, { DATABASE_URL: refused });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        new RegExp(
          `^oma-reconciler: error: ${command[0] ?? ''}: database root@127\\.0\\.0\\.1:1/\\w+ unreachable: connect ECONNREFUSED 127\\.0\\.0\\.1:1 \\(ECONNREFUSED, errno -111\\)\\n$`,
        ),
      );
      expect(run.stderr).not.toMatch(/leader lock/);
    }
    const denied = await h.cli(['plan'], { DATABASE_URL: `mysql://root:s3cr3t-pw@${url.host}${url.pathname}` });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(
      /refused the connection: Access denied for user 'root'@'[^']+' \(using password: YES\) \(ER_ACCESS_DENIED_ERROR, errno 1045\)\n$/,
    );
    expect(denied.stderr).not.toContain('s3cr3t-pw');
    const unknown = await h.cli(['plan'], { DATABASE_URL: `${h.db.url}_missing` });
    expect(unknown.stderr).toMatch(
      new RegExp(
        `refused the connection: Unknown database '${h.db.name}_missing' \\(ER_BAD_DB_ERROR, errno 1049\\)\\n$`,
      ),
    );
    expect(unknown.stderr.split('\n')).toHaveLength(2);
  });
});
