/**
 * A listing is believed only when it is consistent from first page to last, and a volume the
 * database expects but the listing lacks is looked up by id before any drift is built on its
 * absence (issue 15, 6.1: another tenant's deletion between two pages shifted a healthy volume
 * onto a page already read, "distinct = count" held, and its mapping and export were removed).
 * Snapshots (tracked rollback points) and VMs (the OMA VM, the VMs mappings name) are confirmed the
 * same way.
 */
import { describe, expect, it } from 'vitest';
import { listAll, type PageFetcher } from '../../src/cloudstack/list-all.js';
import { useSettledHarness, type Harness } from './helpers/appliance-harness.js';
import { destructiveAttempts } from './helpers/audit.js';
import { fingerprint } from './helpers/read-appliance.js';

describe('a paged listing', () => {
  it('is read again when the count moves between pages, so a shifted item is not lost', async () => {
    // a..e in pages of 2; "b" is deleted after page 1 was read: "c" shifts onto page 1.
    let deleted = false;
    const pages: PageFetcher = (params) => {
      const items = deleted ? ['a', 'c', 'd', 'e'] : ['a', 'b', 'c', 'd', 'e'];
      const page = Number(params.page);
      const slice = items.slice((page - 1) * 2, page * 2);
      if (page === 1 && !deleted) deleted = true;
      return Promise.resolve(
        slice.length === 0 ? { count: items.length } : { count: items.length, item: slice.map((id) => ({ id })) },
      );
    };
    const listed = await listAll(pages, {
      command: 'listThings',
      itemKey: 'item',
      params: {},
      decode: (raw) => raw as { id: string },
      idOf: (x) => x.id,
      pageSize: 2,
    });
    expect(listed).toEqual({ items: [{ id: 'a' }, { id: 'c' }, { id: 'd' }, { id: 'e' }], complete: true, count: 4 });
  });
});

describe('a volume the database expects but the listing lacks', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('is looked up by id; found, the listing is not believed and nothing is changed', async () => {
    // One page that silently lacks its last volume and reports a count to match.
    h.env.sim.faults.set('listVolumes', { dropItems: 1, countSkew: -1, times: 1 });
    const before = await fingerprint(h);
    const result = await h.pass();
    expect(result.plan.sources.cloudstack).toEqual({
      complete: false,
      error: expect.stringMatching(
        /^listVolumes: the full listing lacked 1 volume\(s\) a lookup by id found \([0-9a-f-]{36}\); the listing changed while it was read$/,
      ) as unknown,
    });
    expect(result.executed.filter((e) => e.result !== 'dry_run')).toEqual([]);
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
    // The next pass lists the whole truth again.
    expect((await h.plan()).world.sources.cloudstack).toMatchObject({ complete: true });
  });

  it('confirmed gone by the lookup, its absence is drift as before', async () => {
    const [row] = await h.db.db.selectFrom('ossea_volumes').select('volume_id').orderBy('id').limit(1).execute();
    const gone = row?.volume_id ?? '';
    h.env.sim.state.removeVolume(gone);
    const planned = await h.plan();
    expect(planned.world.sources.cloudstack).toMatchObject({ complete: true });
    expect(planned.gated.map((d) => d.id)).toEqual([
      `missing-volume:volume:${gone}`,
      `orphan-nbd-export:nbd-export:migration-vol-${gone}`,
      `device-mapping:device-mapping:${gone}`,
    ]);
  });
});

/** The failover snapshots and VMs (OMA + failover destinations) of the default world are all ones the database expects. */
describe('a snapshot or VM the database expects but the listing lacks', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it.each([
    ['listSnapshots', 'snapshot'],
    ['listVirtualMachines', 'VM'],
  ])('%s: found by id, the listing is not believed, nothing is changed and plan exits 2', async (command, noun) => {
    const lacked = new RegExp(
      `^${command}: the full listing lacked 1 ${noun}\\(s\\) a lookup by id found \\([0-9a-f-]{36}\\); the listing changed while it was read$`,
    );
    // One page that silently lacks its last item and reports a count to match.
    h.env.sim.faults.set(command, { dropItems: 1, countSkew: -1, times: 1 });
    const before = await fingerprint(h);
    const result = await h.pass();
    expect(result.plan.sources.cloudstack).toEqual({
      complete: false,
      error: expect.stringMatching(lacked) as unknown,
    });
    expect(result.executed.filter((e) => e.result !== 'dry_run')).toEqual([]);
    expect(await destructiveAttempts(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);

    h.env.sim.faults.set(command, { dropItems: 1, countSkew: -1, times: 1 });
    const plan = await h.cli(['plan', '--output', 'json']);
    expect(plan.code).toBe(2);
    const json = JSON.parse(plan.stdout) as { sources: { cloudstack: { complete: boolean; error?: string } } };
    expect(json.sources.cloudstack).toEqual({ complete: false, error: expect.stringMatching(lacked) as unknown });
    // The next pass lists the whole truth again.
    expect((await h.plan()).world.sources.cloudstack).toMatchObject({ complete: true });
  });

  it('a tracked snapshot confirmed gone by the lookup leaves the listing believed', async () => {
    const [row] = await h.db.db
      .selectFrom('ossea_volumes')
      .select('snapshot_id')
      .where('snapshot_id', 'is not', null)
      .where('snapshot_id', '!=', '')
      .orderBy('id')
      .limit(1)
      .execute();
    h.env.sim.state.removeSnapshot(row?.snapshot_id ?? '');
    expect((await h.plan()).world.sources.cloudstack).toMatchObject({ complete: true });
  });
});
