/**
 * The status page's "Delete now" and "Reset" against a whole appliance: ending a quarantine lets the
 * next pass delete the volume (behind its gates), a volume that is not quarantined is refused; a
 * budget trip's mode ceiling is cleared and the reset audited.
 */
import { describe, expect, it } from 'vitest';
import { QUARANTINE_TAG } from '../../reconcilers/lib/names.js';
import { expediteDeletion } from '../../src/engine/expedite-deletion.js';
import { resetSafety } from '../../src/engine/reset-safety.js';
import { MODE_CEILING_KEY } from '../../src/engine/store/pass-records.js';
import { readState, writeState } from '../../src/engine/store/state-store.js';
import { useSettledHarness, type Harness } from './helpers/appliance-harness.js';
import { auditEntries } from './helpers/audit.js';
import { contextIn, deleteContext } from './helpers/inject-drift.js';

describe('console actions', () => {
  let h!: Harness;
  useSettledHarness((started) => (h = started));

  it('deletes a quarantined volume in the next pass after "Delete now", not before', async () => {
    const ctx = contextIn(h, 'ready_for_failover');
    const volumeId = ctx.volumes[1]?.volumeId ?? '';
    await deleteContext(h, ctx.contextId);
    await h.pass({ only: ['orphan-volume'] });
    expect(h.env.sim.state.tagsOf('Volume', volumeId).map((t) => t.key)).toContain(QUARANTINE_TAG);
    await h.pass({ only: ['orphan-volume'] });
    expect(h.env.sim.state.getVolume(volumeId)).toBeDefined(); // the default TTL is 7 days

    const result = await expediteDeletion(h.deps, volumeId, 'alice');
    expect(result).toMatchObject({ status: 'expedited' });
    expect(h.env.sim.state.getVolume(volumeId)).toBeDefined(); // nothing deleted by the request itself
    await h.pass({ only: ['orphan-volume'] });
    expect(h.env.sim.state.getVolume(volumeId)).toBeUndefined();
    const audit = await auditEntries(h);
    expect(audit.map((a) => `${a.action} ${a.outcome}`)).toEqual(
      expect.arrayContaining(['expedite-deletion success', 'delete-volume success']),
    );
  });

  it('refuses "Delete now" for a volume that is not quarantined, and changes nothing', async () => {
    const volumeId = contextIn(h, 'ready_for_failover').volumes[0]?.volumeId ?? '';
    const before = await auditEntries(h);
    expect(await expediteDeletion(h.deps, volumeId, 'alice')).toEqual({
      status: 'refused',
      message: `volume ${volumeId} is not quarantined; only a quarantined volume can be deleted now`,
    });
    expect(await auditEntries(h)).toEqual(before);
  });

  it('clears a budget trip and records who reset it', async () => {
    expect(await resetSafety(h.deps, 'alice')).toEqual({
      status: 'not-tripped',
      message: 'no safety ceiling is in force; nothing to reset',
    });
    await writeState(h.db.db, MODE_CEILING_KEY, {
      mode: 'dry-run',
      reason: '12 destructive actions planned, 10 allowed',
    });
    expect(await resetSafety(h.deps, 'alice')).toEqual({
      status: 'reset',
      message: 'budget reset (it had tripped: 12 destructive actions planned, 10 allowed)',
    });
    expect(await readState(h.db.db, MODE_CEILING_KEY)).toBeNull();
    expect((await auditEntries(h)).at(-1)).toMatchObject({
      kind: 'safety',
      action: 'reset-budget',
      outcome: 'success',
    });
  });
});
