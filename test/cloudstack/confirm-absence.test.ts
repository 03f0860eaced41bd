/**
 * Absence confirmed by id (issue 15, 6.1): an object the database expects but a listing lacks is
 * looked up before anything is built on its absence — and nothing is looked up when nothing is
 * missing, so a healthy pass sends only its listing pages.
 */
import { describe, expect, it } from 'vitest';
import { confirmAbsence, LOOKUP_BATCH, MAX_ABSENCE_LOOKUPS } from '../../src/cloudstack/confirm-absence.js';
import { CloudStackHttpError } from '../../src/cloudstack/errors.js';
import type { ListResult } from '../../src/cloudstack/types.js';
import type { CloudStackFacts } from '../../src/world/world.js';

type Answer = ListResult<{ id: string }>;

/**
 * A client whose lookups answer from `answers` by id (default: an empty list = removed) and are
 * recorded. A batch (`ids`) is refused whole with a 431 when one of its ids is unknown, as CloudStack
 * refuses a parameter naming an entity that does not exist.
 */
function fakeClient(answers: Record<string, Answer> = {}) {
  const calls: string[] = [];
  const answer = (command: string) => (filter: { id?: string; ids?: readonly string[] }) => {
    if (filter.ids !== undefined) {
      calls.push(`${command} ids=${filter.ids.join(',')}`);
      const refused = filter.ids.map((id) => answers[id]).find((a) => a !== undefined && !a.complete);
      if (refused) return Promise.resolve(refused);
      const items = filter.ids.flatMap((id) => answers[id]?.items ?? []);
      return Promise.resolve({ items, complete: true, count: items.length });
    }
    calls.push(`${command} id=${filter.id ?? ''}`);
    return Promise.resolve(answers[filter.id ?? ''] ?? { items: [], complete: true, count: 0 });
  };
  const client = {
    listVolumes: answer('listVolumes'),
    listSnapshots: answer('listSnapshots'),
    listVirtualMachines: answer('listVirtualMachines'),
  } as unknown as Parameters<typeof confirmAbsence>[0];
  return { client, calls };
}

const listed = (facts: Partial<Record<keyof CloudStackFacts, string[]>>): CloudStackFacts =>
  ({
    volumes: (facts.volumes ?? []).map((id) => ({ id })),
    snapshots: (facts.snapshots ?? []).map((id) => ({ id })),
    virtualMachines: (facts.virtualMachines ?? []).map((id) => ({ id })),
  }) as unknown as CloudStackFacts;

const unknownId = (command: string): Answer => ({
  items: [],
  complete: false,
  count: null,
  error: `${command}: 431 entity does not exist`,
  cause: new CloudStackHttpError(command, 431, 431, 9999, 'entity does not exist'),
});

describe('confirming that expected objects are really gone', () => {
  it('looks nothing up when every expected object is listed', async () => {
    const { client, calls } = fakeClient();
    const facts = listed({ volumes: ['v1'], snapshots: ['s1'], virtualMachines: ['oma'] });
    const expected = { volumes: ['v1'], snapshots: ['s1'], virtualMachines: ['oma', 'oma'] };
    expect(await confirmAbsence(client, expected, facts)).toBeNull();
    expect(calls).toEqual([]);
  });

  it('accepts an empty answer (removed) and a 431 (never known) as absence; a refused batch is asked again id by id', async () => {
    const { client, calls } = fakeClient({ s2: unknownId('listSnapshots'), tvm: unknownId('listVirtualMachines') });
    const facts = listed({ snapshots: ['s1'], virtualMachines: ['oma'] });
    const expected = { volumes: [], snapshots: ['s1', 's2', 's3'], virtualMachines: ['oma', 'tvm'] };
    expect(await confirmAbsence(client, expected, facts)).toBeNull();
    expect(calls).toEqual([
      'listSnapshots ids=s2,s3',
      'listSnapshots id=s2',
      'listSnapshots id=s3',
      'listVirtualMachines id=tvm',
    ]);
  });

  it('confirms hundreds of removed objects in a few batched lookups', async () => {
    const { client, calls } = fakeClient();
    const volumes = Array.from({ length: 3 * LOOKUP_BATCH - 10 }, (_, i) => `v${String(i).padStart(3, '0')}`);
    expect(await confirmAbsence(client, { volumes, snapshots: [], virtualMachines: [] }, listed({}))).toBeNull();
    expect(calls).toHaveLength(3);
    expect(calls[0]).toBe(`listVolumes ids=${volumes.slice(0, LOOKUP_BATCH).join(',')}`);
  });

  it('names a volume a batched lookup found although the listing lacked it', async () => {
    const { client } = fakeClient({ v2: { items: [{ id: 'v2' }], complete: true, count: 1 } });
    expect(
      await confirmAbsence(client, { volumes: ['v1', 'v2', 'v3'], snapshots: [], virtualMachines: [] }, listed({})),
    ).toBe(
      'listVolumes: the full listing lacked 1 volume(s) a lookup by id found (v2); the listing changed while it was read',
    );
  });

  it('names the snapshot a lookup found although the listing lacked it', async () => {
    const { client } = fakeClient({ s2: { items: [{ id: 's2' }], complete: true, count: 1 } });
    expect(await confirmAbsence(client, { volumes: [], snapshots: ['s2'], virtualMachines: [] }, listed({}))).toBe(
      'listSnapshots: the full listing lacked 1 snapshot(s) a lookup by id found (s2); the listing changed while it was read',
    );
  });

  it('names the VM a lookup found although the listing lacked it', async () => {
    const { client } = fakeClient({ oma: { items: [{ id: 'oma' }], complete: true, count: 1 } });
    expect(await confirmAbsence(client, { volumes: [], snapshots: [], virtualMachines: ['oma'] }, listed({}))).toBe(
      'listVirtualMachines: the full listing lacked 1 VM(s) a lookup by id found (oma); the listing changed while it was read',
    );
  });

  it('gives the cause when a lookup fails', async () => {
    const { client } = fakeClient({
      tvm: { items: [], complete: false, count: null, error: 'listVirtualMachines: HTTP 503 from the proxy' },
    });
    expect(await confirmAbsence(client, { volumes: [], snapshots: [], virtualMachines: ['tvm'] }, listed({}))).toBe(
      'listVirtualMachines id=tvm: cannot confirm the VM is gone: listVirtualMachines: HTTP 503 from the proxy',
    );
  });

  it('makes a bounded number of lookups a pass, counting every kind, and then says the listing cannot be believed', async () => {
    // Every batch names one id CloudStack never knew, so each is asked again id by id.
    const snapshots = Array.from({ length: 3 * LOOKUP_BATCH }, (_, i) => `s${String(i).padStart(3, '0')}`);
    const unknown = Object.fromEntries(
      snapshots.filter((_, i) => i % LOOKUP_BATCH === 0).map((id) => [id, unknownId('listSnapshots')]),
    );
    const { client, calls } = fakeClient(unknown);
    expect(await confirmAbsence(client, { volumes: [], snapshots, virtualMachines: [] }, listed({}))).toBe(
      `${3 * LOOKUP_BATCH} snapshot(s) the database expects are not listed; confirming they are gone would take more than the ${MAX_ABSENCE_LOOKUPS} lookups a pass makes`,
    );
    expect(calls).toHaveLength(MAX_ABSENCE_LOOKUPS);
  });
});
