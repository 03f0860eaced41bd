/**
 * `oma-reconciler adopt volume|snapshot|vm ID --reason TEXT`: a volume named like ours that the
 * database never referenced is held by the ownership gate until adopted; after the adoption the
 * reconciler quarantines it; `undo` of the adoption puts the ledger back; bad input changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { useSettledHarness, type Harness } from '../engine/helpers/appliance-harness.js';
import { auditEntries } from '../engine/helpers/audit.js';

describe('oma-reconciler adopt', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  const ownershipDecision = async (id: string): Promise<string | undefined> => {
    const item = (await h.plan()).gated.find((d) => d.subject.id === id);
    return item?.actions.map((a) => a.blockedBy ?? 'run').join(',');
  };

  it('adopts a look-alike volume: audited, the ownership gate lets it through, explain no longer suggests SQL', async () => {
    const lookalike = h.env.sim.state.addVolume({ name: 'migration-lookalike-lookalike-disk-0' });
    expect(await ownershipDecision(lookalike.id)).toBe('ownership');
    const explained = await h.cli(['explain', lookalike.id]);
    expect(explained.stdout).toContain(`oma-reconciler adopt volume ${lookalike.id} --reason TEXT`);
    expect(explained.stdout).not.toMatch(/INSERT INTO/i);

    const run = await h.cli(['adopt', 'volume', lookalike.id, '--reason', 'restored from a backup', '--by', 'alice']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^adopted: adopted volume ${lookalike.id} \\(migration-lookalike-lookalike-disk-0\\); undo with: oma-reconciler undo \\d+\\n$`,
      ),
    );
    expect(await ownershipDecision(lookalike.id)).toBe('run');
    const record = (await auditEntries(h)).at(-1);
    expect(record).toMatchObject({
      kind: 'ownership',
      action: 'adopt-volume',
      subjectId: lookalike.id,
      outcome: 'success',
      reversible: true,
      destructive: false,
    });
    const ledger = await h.db.db
      .selectFrom('oma_reconciler_ledger')
      .selectAll()
      .where('object_id', '=', lookalike.id)
      .executeTakeFirst();
    expect(ledger).toMatchObject({
      adopted: 1,
      adopted_by: 'alice',
      reason: 'adopted by alice: restored from a backup',
    });

    const again = await h.cli(['adopt', 'volume', lookalike.id, '--reason', 'twice']);
    expect(again).toMatchObject({
      code: 0,
      stdout: `already-owned: volume ${lookalike.id} was already adopted by alice\n`,
    });

    const undo = await h.cli(['undo', record?.id ?? '']);
    expect(undo).toMatchObject({
      code: 0,
      stdout: `undone: volume ${lookalike.id} is no longer adopted (removed from the ownership ledger)\n`,
    });
    expect(
      await h.db.db.selectFrom('oma_reconciler_ledger').selectAll().where('object_id', '=', lookalike.id).execute(),
    ).toEqual([]);
    expect(await ownershipDecision(lookalike.id)).toBe('ownership');
  });

  it('refuses an id CloudStack does not know, a missing reason and a wrong type, and changes nothing', async () => {
    const before = await auditEntries(h);
    const unknown = await h.cli(['adopt', 'snapshot', '00000000-0000-0000-0000-000000000000', '--reason', 'typo']);
    // CloudStack answers an unknown id in a list call with 431 ("...or entity does not exist"): said as it is.
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^failed: cannot check snapshot 0{8}-0{4}-0{4}-0{4}-0{12} in CloudStack: listSnapshots: HTTP 431: .*entity does not exist/,
    );
    const noReason = await h.cli(['adopt', 'vm', 'abc']);
    expect(noReason).toMatchObject({
      code: 2,
      stderr: "oma-reconciler: error: adopt needs --reason TEXT (why the object is the appliance's)\n",
    });
    const badType = await h.cli(['adopt', 'disk', 'abc', '--reason', 'x']);
    expect(badType).toMatchObject({
      code: 2,
      stderr: 'oma-reconciler: error: adopt takes volume|snapshot|vm and one ID\n',
    });
    expect(await auditEntries(h)).toEqual(before);
  });
});
