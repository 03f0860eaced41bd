/**
 * `oma-reconciler apply` against a whole appliance, run in-process: outcomes and exit codes, and
 * the three ways it must change nothing (dry-run, observe mode, another instance leading).
 */
import { describe, expect, it } from 'vitest';
import { leaderLockName } from '../../src/compose/leader-lock-name.js';
import { Leadership } from '../../src/daemon/leadership.js';
import { createLogger } from '../../src/log.js';
import { useSettledHarness, type Harness } from '../engine/helpers/appliance-harness.js';
import { auditEntries } from '../engine/helpers/audit.js';
import { checkInvariants } from '../engine/helpers/check-invariants.js';
import { contextIn, deleteContext } from '../engine/helpers/inject-drift.js';
import { fingerprint, readAppliance } from '../engine/helpers/read-appliance.js';

describe('oma-reconciler apply', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('exits 1 while an action waits for its grace period and 0 once everything is repaired, naming each audit record', async () => {
    const volumeId = contextIn(h, 'ready_for_failover').volumes[1]?.volumeId ?? '';
    h.env.sim.state.detachVolume(volumeId);

    const first = await h.cli(['apply']);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(
      /^device-mapping +device-mapping [0-9a-f-]{36} \(.*\) +delete-device-mapping! +blocked: grace$/m,
    );
    expect(first.stdout).toMatch(
      new RegExp(
        `^success {2}attach-volume-to-oma volume-attachment:volume:${volumeId} \\(action \\d+\\): attached volume ${volumeId} to the OMA \\(direct, operation [0-9a-f-]{36}\\)$`,
        'm',
      ),
    );
    // Attached again, the mapping row is right again: nothing is left to wait for.
    const second = await h.cli(['apply']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^no drift$/m);
    expect(checkInvariants(await readAppliance(h))).toEqual([]);
    expect((await auditEntries(h)).map((e) => `${e.action} ${e.outcome}`)).toEqual(['attach-volume-to-oma success']);
  });

  it('with --dry-run decides every action, reports it as dry_run, and changes nothing', async () => {
    await deleteContext(h, contextIn(h, 'ready_for_failover').contextId);
    const before = await fingerprint(h);

    const run = await h.cli(['apply', '--dry-run', '--grace-seconds', '0']);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^dry_run {2}(quarantine-volume|remove-nbd-export) /gm)).toHaveLength(4);
    expect(run.stdout).toMatch(/^mode dry-run, /m);
    expect(await auditEntries(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('in observe mode (RECONCILE_MODE) reports every action blocked by mode and changes nothing', async () => {
    await deleteContext(h, contextIn(h, 'ready_for_failover').contextId);
    const before = await fingerprint(h);

    const run = await h.cli(['apply', '--grace-seconds', '0'], { RECONCILE_MODE: 'observe' });
    expect(run.code).toBe(1);
    expect(run.stdout.match(/ blocked: mode$/gm)).toHaveLength(4);
    expect(await auditEntries(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });

  it('changes nothing while another instance holds the leader lock, and says so', async () => {
    await deleteContext(h, contextIn(h, 'ready_for_failover').contextId);
    const before = await fingerprint(h);
    const daemon = new Leadership({
      databaseUrl: h.db.url,
      logger: createLogger('silent'),
      lockName: leaderLockName(h.db.url),
      retryMs: 60_000,
    });
    await daemon.start();
    try {
      expect(daemon.isLeader()).toBe(true);
      const run = await h.cli(['apply', '--grace-seconds', '0']);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('apply: another instance holds the leader lock; nothing will be changed\n');
      expect(run.stdout.match(/ blocked: not-leader$/gm)).toHaveLength(4);
    } finally {
      await daemon.close();
    }
    expect(await auditEntries(h)).toEqual([]);
    expect(await fingerprint(h)).toEqual(before);
  });
});
