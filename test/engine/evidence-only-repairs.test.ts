/**
 * Repairs from evidence only (issue 15): a by-id directory without the links the OMA's attached
 * volumes imply makes the devices source incomplete (exit 2, nothing written); a device path is
 * written only from an observed link; a pass that would rewrite most of one table is held by the
 * sanity gate. Each case compares the appliance row by row before and after.
 */
import { cp, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planJsonSchema } from '../../src/engine/plan-json.js';
import { useSettledHarness, type Harness } from './helpers/appliance-harness.js';
import { auditEntries } from './helpers/audit.js';
import { fingerprint } from './helpers/read-appliance.js';

async function devicePaths(h: Harness): Promise<string[]> {
  const rows = await h.db.db
    .selectFrom('device_mappings')
    .select(['volume_uuid', 'device_path'])
    .orderBy('volume_uuid')
    .execute();
  return rows.map((r) => `${r.volume_uuid} ${r.device_path}`);
}

describe('repairs from evidence only', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('an empty by-id directory makes the devices source incomplete and changes no device_path', async () => {
    const empty = join(h.env.dirs.root, 'empty-by-id');
    await mkdir(empty);
    const paths = await devicePaths(h);
    expect(paths.length).toBeGreaterThan(2);
    const before = await fingerprint(h);

    const planned = await h.cli(['plan', '--output', 'json', '--grace-seconds', '0'], { DEVICE_BY_ID_DIR: empty });
    expect(planned.code).toBe(2);
    const plan = planJsonSchema.parse(JSON.parse(planned.stdout));
    expect(plan.sources.devices).toEqual({
      complete: false,
      error: expect.stringMatching(
        new RegExp(
          `^${empty} holds none of the by-id links of the \\d+ volume\\(s\\) CloudStack shows attached to the OMA VM`,
        ),
      ) as unknown,
    });
    expect(plan.drift.flatMap((d) => d.actions.filter((a) => a.decision === 'run').map((a) => a.action))).toEqual([]);

    const applied = await h.cli(['apply', '--grace-seconds', '0'], { DEVICE_BY_ID_DIR: empty });
    expect(applied.code).toBe(2);
    expect(await auditEntries(h)).toEqual([]);
    expect(await devicePaths(h)).toEqual(paths);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('an unreadable by-id directory is incomplete with its reason, and nothing is written', async () => {
    const before = await fingerprint(h);
    const run = await h.cli(['apply', '--grace-seconds', '0'], { DEVICE_BY_ID_DIR: '/nonexistent/by-id' });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^incomplete sources: devices \(cannot read \/nonexistent\/by-id: ENOENT/m);
    expect(await auditEntries(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('a new device_mappings row takes the observed link path; without a link the row is reported, not invented', async () => {
    const [first, second] = await h.db.db
      .selectFrom('device_mappings')
      .select(['volume_uuid', 'device_path'])
      .where('operation_mode', '=', 'oma')
      .orderBy('volume_uuid')
      .limit(2)
      .execute();
    if (!first || !second) throw new Error('the appliance has fewer than two OMA mappings');
    await h.db.db
      .deleteFrom('device_mappings')
      .where('volume_uuid', 'in', [first.volume_uuid, second.volume_uuid])
      .execute();
    // A by-id directory where only the first volume's link is visible (the second's device is gone).
    const partial = join(h.env.dirs.root, 'partial-by-id');
    await mkdir(partial);
    for (const name of await readdir(h.env.dirs.byIdDir)) {
      const path = join(h.env.dirs.byIdDir, name);
      if (path === second.device_path) continue;
      await symlink(await readlink(path), join(partial, name));
    }
    const run = await h.cli(['plan', '--output', 'json', '--only', 'device-mapping'], { DEVICE_BY_ID_DIR: partial });
    expect(run.code).toBe(1);
    const plan = planJsonSchema.parse(JSON.parse(run.stdout));
    const byVolume = new Map(plan.drift.map((d) => [d.subject.id, d]));
    expect(byVolume.get(first.volume_uuid)?.actions.map((a) => a.action)).toEqual(['create-device-mapping']);
    expect(byVolume.get(first.volume_uuid)?.subject.name).toBe(
      join(partial, first.device_path.split('/').at(-1) ?? ''),
    );
    expect(byVolume.get(second.volume_uuid)?.actions).toEqual([]);
    expect(byVolume.get(second.volume_uuid)?.note).toBe(
      'report only: no by-id link observed for the volume; the path is not written from configuration alone',
    );
  });

  it('holds a pass that would rewrite most of device_mappings (a moved by-id directory), and says why', async () => {
    const moved = join(h.env.dirs.root, 'moved-by-id');
    await cp(h.env.dirs.byIdDir, moved, { recursive: true, verbatimSymlinks: true });
    const paths = await devicePaths(h);
    const before = await fingerprint(h);

    const run = await h.cli(['apply', '--grace-seconds', '0', '--only', 'device-mapping'], { DEVICE_BY_ID_DIR: moved });
    expect(run.code).toBe(1);
    const omaRows = await h.db.db
      .selectFrom('device_mappings')
      .select('id')
      .where('operation_mode', '=', 'oma')
      .execute();
    expect(omaRows.length).toBeGreaterThanOrEqual(3);
    expect(run.stdout.match(/ update-device-mapping +blocked: sanity$/gm)?.length).toBe(omaRows.length);
    expect(await auditEntries(h)).toEqual([]);
    expect(await devicePaths(h)).toEqual(paths);
    expect(await fingerprint(h)).toEqual(before);
  });
});
