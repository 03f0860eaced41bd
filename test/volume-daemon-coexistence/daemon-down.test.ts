/**
 * Issue 14, "Done when" 3: with the Volume Daemon down, `auto` moves volumes directly — same
 * invariants, every `volume_operations` row ours (`requested_by: oma-reconciler`) — and `required`
 * blocks every volume action on the incomplete `volume-daemon` source and changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QUARANTINE_TAG } from '../../reconcilers/lib/names.js';
import { parseJsonColumn } from '../../src/db/queries/json-column.js';
import { toPlanJson } from '../../src/engine/plan-json.js';
import { OWN_OPERATION_MARK } from '../../src/volume-ops/own-operation.js';
import { executedActions } from '../engine/helpers/audit.js';
import { checkInvariants } from '../engine/helpers/check-invariants.js';
import { contextIn } from '../engine/helpers/inject-drift.js';
import { fingerprint, readAppliance } from '../engine/helpers/read-appliance.js';
import { startCoexistence, type Coexistence } from './helpers/coexistence.js';

const VOLUME_ACTIONS = [
  'quarantine-volume',
  'delete-volume',
  'attach-volume-to-oma',
  'run-failed-execution-cleanup',
  'run-replication-job-cleanup',
];

describe('the Volume Daemon is down', () => {
  let c: Coexistence;
  afterEach(async () => c.close());

  /**
   * Drift whose only repairs are volume moves: an adopted orphan on the OMA (quarantine), an adopted
   * orphan quarantined longer than the TTL (delete), and a volume of a ready_for_failover context
   * detached behind the OMA's back with its mapping gone (reattach).
   */
  async function injectVolumeDrift(): Promise<{ onOma: string; expired: string; detached: string }> {
    const { h } = c;
    const state = h.env.sim.state;
    await h.pass();
    const onOma = state.addVolume({
      name: 'migration-gone1-gone1-disk-0',
      type: 'DATADISK',
      sizeBytes: 2 ** 30,
      virtualMachineId: h.omaVmId,
    }).id;
    const expired = state.addVolume({ name: 'migration-gone2-gone2-disk-0', type: 'DATADISK', sizeBytes: 2 ** 30 }).id;
    state.putTag({
      resourceType: 'Volume',
      resourceId: expired,
      key: QUARANTINE_TAG,
      value: new Date(Date.now() - 8 * 24 * 3600_000).toISOString(),
      account: state.defaults.account,
    });
    for (const id of [onOma, expired]) {
      await h.db.db
        .insertInto('oma_reconciler_ledger')
        .values({
          object_type: 'volume',
          object_id: id,
          first_seen_at: new Date(),
          last_seen_at: new Date(),
          reason: 'adopted by operator',
          adopted: 1,
          adopted_by: 'test',
        })
        .execute();
    }
    const detached = contextIn(h, 'ready_for_failover').volumes[1]?.volumeId ?? '';
    state.detachVolume(detached);
    await h.db.db.deleteFrom('device_mappings').where('volume_uuid', '=', detached).execute();
    await h.env.syncDevices();
    return { onOma, expired, detached };
  }

  it('auto: acts directly, the invariants hold and every volume operation row is ours', async () => {
    c = await startCoexistence({ daemon: false, mode: 'auto' });
    const { h } = c;
    const { onOma, expired, detached } = await injectVolumeDrift();

    const plan = await h.plan();
    expect(plan.world.volumeDaemon).toMatchObject({ path: 'direct', configuredMode: 'auto' });
    const passes = await h.applyUntilStable();
    expect(executedActions(passes)).toEqual([
      'orphan-volume delete-volume → success',
      'orphan-volume quarantine-volume → success',
      'volume-attachment attach-volume-to-oma → success',
    ]);
    expect(h.env.sim.state.getVolume(detached)?.vmId).toBe(h.omaVmId);
    expect(h.env.sim.state.getVolume(onOma)?.vmId).toBeNull();
    expect(h.env.sim.state.getVolume(expired)).toBeUndefined();
    expect(checkInvariants(await readAppliance(h))).toEqual([]);

    const rows = await h.db.db.selectFrom('volume_operations').selectAll().execute();
    expect(rows.map((r) => [r.type, r.volume_id, r.status]).sort()).toEqual(
      [
        ['detach', onOma, 'completed'],
        ['delete', expired, 'completed'],
        ['attach', detached, 'completed'],
      ].sort(),
    );
    for (const r of rows) expect(parseJsonColumn(r.request)).toMatchObject({ requested_by: OWN_OPERATION_MARK });
  });

  it('required: every volume action is blocked by incomplete-source, and a pass changes nothing', async () => {
    c = await startCoexistence({ daemon: false, mode: 'required' });
    const { h } = c;
    await injectVolumeDrift();
    const before = await fingerprint(h);

    const plan = await h.plan();
    const json = toPlanJson(plan.world, plan.gated, 'enforce');
    expect(json.sources['volume-daemon']).toMatchObject({
      complete: false,
      error: expect.stringMatching(/required.*does not answer/) as unknown,
    });
    const volumeActions = plan.gated.flatMap((d) =>
      d.actions
        .filter((a) => VOLUME_ACTIONS.includes(a.action))
        .map((a) => `${d.kind} ${a.action}: ${a.decision}/${a.blockedBy ?? ''}`),
    );
    expect(volumeActions).toHaveLength(3);
    for (const a of volumeActions) expect(a).toMatch(/: blocked\/incomplete-source$/);
    expect(
      plan.gated.flatMap((d) => d.actions.filter((a) => a.decision === 'run').map((a) => `${d.kind} ${a.action}`)),
    ).toEqual([]);

    const pass = await h.pass();
    expect(pass.executed.filter((e) => VOLUME_ACTIONS.includes(e.action))).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });
});
