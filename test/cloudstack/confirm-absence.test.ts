/**
 * Absence confirmed by id (issue 15, 6.1): an object the database expects but a listing lacks is
 * looked up before anything is built on its absence — and nothing is looked up when nothing is
 * missing, so a healthy pass sends only its listing pages.
 */
import { describe, expect, it } from 'vitest';
import { confirmAbsence, MAX_ABSENCE_LOOKUPS } from '../../src/cloudstack/confirm-absence.js';
import { CloudStackHttpError } from '../../src/cloudstack/errors.js';
import type { ListResult } from '../../src/cloudstack/types.js';
import type { CloudStackFacts } from '../../src/world/world.js';

type Answer = ListResult<{ id: string }>;

/** A client whose by-id lookups answer from `answers` (default: an empty list = removed) and are recorded. */
function fakeClient(answers: Record<string, Answer> = {}) {
  const calls: string[] = [];
  const answer = (command: string) => (filter: { id?: string }) => {
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

  it('accepts an empty answer (removed) and a 431 (never known) as absence, one lookup per object', async () => {
    const { client, calls } = fakeClient({ s2: unknownId('listSnapshots'), tvm: unknownId('listVirtualMachines') });
    const facts = listed({ snapshots: ['s1'], virtualMachines: ['oma'] });
    const expected = { volumes: [], snapshots: ['s1', 's2', 's3'], virtualMachines: ['oma', 'tvm'] };
    expect(await confirmAbsence(client, expected, facts)).toBeNull();
    expect(calls).toEqual(['listSnapshots id=s2', 'listSnapshots id=s3', 'listVirtualMachines id=tvm']);
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

  it('confirms at most a bounded number of objects a pass, counting every kind', async () => {
    const { client, calls } = fakeClient();
    const snapshots = Array.from({ length: MAX_ABSENCE_LOOKUPS }, (_, i) => `s${i}`);
    const expected = { volumes: [], snapshots, virtualMachines: ['tvm'] };
    expect(await confirmAbsence(client, expected, listed({}))).toBe(
      `${MAX_ABSENCE_LOOKUPS + 1} objects the database expects are not listed (${MAX_ABSENCE_LOOKUPS} snapshot(s), 1 VM(s)), more than the ${MAX_ABSENCE_LOOKUPS} a pass confirms one by one`,
    );
    expect(calls).toEqual([]);
  });
});
