/**
 * Issue 14, "Done when" 2: seeded random interleavings of Volume Daemon operations started by an
 * "OMA" client (detach + attach back as a failover/rollback does, the GUI's "Cleanup Failed Job"
 * sequence, an attach of a volume the OMA detached earlier, a delete of an orphan it attached) with
 * reconciler passes on the same volumes, beside the daemon simulator with every fault on but the
 * HUP. Half of the time our repair is due (grace over) when the OMA starts, so both reach for the
 * same volume at once.
 *
 * Judged from the daemon simulator's operation log (accept and end times to the millisecond; the
 * `volume_operations` timestamps have whole seconds, too coarse to order two operations), the
 * engine's live re-checks (its debug log: when the last read before each request was sent) and the
 * audit log: duplicate-key failures; daemon operations failed because of us (ours, or the OMA's
 * after we started on its volume while its operation ran or in the middle of its sequence);
 * operations of ours whose re-check could see an OMA operation on the volume running, or ended
 * within the settle window; and moves of ours per volume (at most one, a delete's detach+delete
 * counting as one). The daemon has no per-volume lock: an OMA operation accepted after our last
 * re-check read, or started while our operation runs, is a race no reader can see coming, reported
 * apart (`simultaneousStarts`, `omaStartedDuringOurs`, `omaFailedRacingUs`).
 *
 * Passes run with a 1 s grace (`--grace-seconds 1`), which is also the settle window after a daemon
 * operation: the OMA's steps follow each other within milliseconds, as on the appliance.
 * COEXISTENCE_INTERLEAVINGS=N changes the count (default 50).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import type { CompletedPass } from '../../src/engine/run-pass.js';
import type { OperationLogEntry } from '../../src/volume-daemon-simulator/start-volume-daemon-simulator.js';
import { checkInvariants } from '../engine/helpers/check-invariants.js';
import { readAppliance } from '../engine/helpers/read-appliance.js';
import { startCoexistence, type Coexistence } from './helpers/coexistence.js';
import { pollUntil } from './helpers/poll.js';
import { seededRandom } from '../helpers/seeded-random.js';

const INTERLEAVINGS = Number(process.env.COEXISTENCE_INTERLEAVINGS ?? 50);
const GRACE_SECONDS = 1;
const VOLUME_ACTIONS = new Set(['quarantine-volume', 'delete-volume', 'attach-volume-to-oma']);

const pick = <T>(rnd: () => number, items: readonly T[]): T | undefined => items[Math.floor(rnd() * items.length)];

/** One OMA daemon operation as the OMA saw it, on its own clock. */
interface OmaOp {
  readonly id: string;
  readonly kind: string;
  readonly volumeId: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: string;
  readonly error: string | null;
}

/** An OMA sequence on some volumes: its operations, from the first one's acceptance to the last one's end. */
interface OmaSequence {
  readonly name: string;
  readonly volumeIds: readonly string[];
  readonly operationIds: readonly string[];
}

describe('OMA daemon operations interleaved with reconciler passes', () => {
  let c: Coexistence;
  const figures = {
    interleavings: 0,
    ripe: 0,
    omaOperations: 0,
    ourOperations: 0,
    passes: 0,
    ourVolumeActions: 0,
    duplicateKeyFailures: 0,
    failedBecauseOfUs: 0,
    actionsInFlight: 0,
    withinSettle: 0,
    backAndForth: 0,
    /** The OMA started an operation on a volume while ours ran on it (the daemon has no per-volume lock). */
    omaStartedDuringOurs: 0,
    /** An OMA operation accepted between our last re-check read and our own request's acceptance. */
    simultaneousStarts: 0,
    omaFailedRacingUs: 0,
    omaRaces: [] as string[],
  };
  const problems: string[] = [];

  /** When the engine's live re-checks found each volume free (wall clock before the read, ms). */
  const rechecks = new Map<string, number[]>();
  const recheckLog = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const line = String(chunk);
      if (line.includes('"volume free at the live re-check"')) {
        const event = JSON.parse(line) as { volumeId: string; checkedAtMs: number };
        rechecks.set(event.volumeId, [...(rechecks.get(event.volumeId) ?? []), event.checkedAtMs]);
      }
      callback();
    },
  });
  /** Our last re-check of the volume before `t`, or null. */
  const checkedBefore = (volumeId: string, t: number): number | null => {
    const before = (rechecks.get(volumeId) ?? []).filter((c) => c <= t);
    return before.length > 0 ? Math.max(...before) : null;
  };

  beforeAll(async () => {
    c = await startCoexistence({
      spec: { statuses: ['ready_for_failover', 'ready_for_failover'], dataDisks: 1 },
      logger: createLogger('debug', recheckLog),
      // The hourly budget is not under test: it would hold our repairs after ~30 interleavings.
      config: { budget: { destructivePerHourPerKind: 1_000 } },
    });
    await c.h.pass();
  });
  afterAll(async () => {
    console.log(
      `interleavings: ${JSON.stringify(figures)}${problems.length > 0 ? `\n${problems.slice(0, 30).join('\n')}` : ''}`,
    );
    await c.close();
  });

  it(`runs ${INTERLEAVINGS} seeded interleavings with no failure, no action in flight and no back-and-forth`, async () => {
    const { h } = c;
    const db = h.db.db;
    const state = h.env.sim.state;
    const contextVolumes = h.env.world.contexts.map((ctx) => ctx.volumes.map((v) => v.volumeId));
    const allContextVolumes = contextVolumes.flat();

    for (let seed = 1; seed <= INTERLEAVINGS; seed++) {
      const rnd = seededRandom(seed);
      const t0 = new Date();
      const omaOps: OmaOp[] = [];
      const sequences: OmaSequence[] = [];
      const logStart = c.daemon!.stats.log.length;

      const run = async (kind: 'attach' | 'detach' | 'delete', volumeId: string): Promise<void> => {
        const startedAt = Date.now();
        const started =
          kind === 'attach'
            ? await c.oma.attachVolume(volumeId, h.omaVmId)
            : kind === 'detach'
              ? await c.oma.detachVolume(volumeId)
              : await c.oma.deleteVolume(volumeId);
        const end = await c.oma.waitForOperation(started.id, { omaVmId: h.omaVmId });
        omaOps.push({
          id: started.id,
          kind,
          volumeId,
          startedAt,
          endedAt: Date.now(),
          status: end.status,
          error: end.error ?? null,
        });
      };
      const sequence = async (
        name: string,
        volumeIds: readonly string[],
        steps: () => Promise<void>,
      ): Promise<void> => {
        const first = omaOps.length;
        try {
          await steps();
        } finally {
          sequences.push({ name, volumeIds, operationIds: omaOps.slice(first).map((o) => o.id) });
        }
      };

      // A volume of a ready_for_failover context the OMA detached earlier (through the daemon, so its
      // bookkeeping is clean) and has not attached back: we reattach it once the settle window is over.
      const behindBack = rnd() < 0.5 ? (pick(rnd, allContextVolumes) ?? null) : null;
      if (behindBack) await run('detach', behindBack);
      let orphan: string | null = null;
      if (rnd() < 0.5) {
        orphan = state.addVolume({
          name: `migration-orphan${seed}-orphan${seed}-disk-0`,
          type: 'DATADISK',
          sizeBytes: 2 ** 30,
        }).id;
        await run('attach', orphan);
        await db
          .insertInto('oma_reconciler_ledger')
          .values({
            object_type: 'volume',
            object_id: orphan,
            first_seen_at: new Date(),
            last_seen_at: new Date(),
            reason: 'adopted by test',
            adopted: 1,
            adopted_by: 'test',
          })
          .execute();
      }
      await h.env.syncDevices();
      // Often the drift is ripe first (its grace over, our action would run now), so the OMA and we
      // reach for the same volume at once.
      if ((behindBack || orphan) && rnd() < 0.6) {
        await h.pass({ graceOverride: GRACE_SECONDS }); // records when the drift was first seen; the grace holds it
        await pollUntil(
          `seed ${seed}: our volume action ripe`,
          async () => {
            const plan = await h.plan({ graceOverride: GRACE_SECONDS });
            return plan.gated.some((d) => d.actions.some((a) => VOLUME_ACTIONS.has(a.action) && a.decision === 'run'));
          },
          30_000,
          100,
        );
        figures.ripe++;
      }
      const offsetMs = Math.floor(rnd() * 300);

      // The OMA's script, run while passes run (it starts `offsetMs` into them).
      const script = async (): Promise<void> => {
        await new Promise((resolve) => setTimeout(resolve, offsetMs));
        const steps = 1 + Math.floor(rnd() * 3);
        for (let i = 0; i < steps; i++) {
          const choice = rnd();
          if (choice < 0.35) {
            const v = pick(
              rnd,
              allContextVolumes.filter((id) => id !== behindBack && state.getVolume(id)?.vmId === h.omaVmId),
            );
            if (v) {
              await sequence('detach+attach', [v], async () => {
                await run('detach', v);
                await run('attach', v);
              });
            }
          } else if (choice < 0.6) {
            const volumes = (pick(rnd, contextVolumes) ?? []).filter((id) => id !== behindBack);
            await sequence('cleanup-failed', volumes, async () => {
              for (const v of volumes) if (await c.oma.getVolumeDevice(v)) await run('detach', v);
              for (const v of volumes) if (state.getVolume(v)?.vmId === null) await run('attach', v);
            });
          } else if (choice < 0.8 && behindBack && state.getVolume(behindBack)?.vmId === null) {
            await sequence('attach', [behindBack], () => run('attach', behindBack));
          } else if (orphan && state.getVolume(orphan)) {
            const o = orphan;
            await sequence('delete', [o], () => run('delete', o));
          }
        }
      };
      let scriptDone = false;
      const passes: CompletedPass[] = [];
      const scriptRun = script().finally(() => {
        scriptDone = true;
      });
      while (!scriptDone) passes.push(await h.pass({ graceOverride: GRACE_SECONDS }));
      await scriptRun;
      // Then until the appliance is consistent again and a pass has nothing to do.
      await pollUntil(
        `seed ${seed}: a consistent appliance`,
        async () => {
          const pass = await h.pass({ graceOverride: GRACE_SECONDS });
          passes.push(pass);
          if (pass.executed.length > 0) return false;
          return checkInvariants(await readAppliance(h)).length === 0;
        },
        60_000,
        100,
      );

      // Figures of this interleaving, from the daemon's own log (to the millisecond; the
      // `volume_operations` timestamps have whole seconds) and the audit log.
      figures.interleavings++;
      figures.passes += passes.length;
      figures.omaOperations += omaOps.length;
      const omaIds = new Set(omaOps.map((o) => o.id));
      const log = c.daemon!.stats.log.slice(logStart);
      const ours = log.filter((e) => !omaIds.has(e.id));
      const theirs = log.filter((e) => omaIds.has(e.id));
      figures.ourOperations += ours.length;
      const overlaps = (a: OperationLogEntry, b: OperationLogEntry) =>
        b.acceptedAt <= a.acceptedAt && a.acceptedAt <= (b.endedAt ?? Infinity);
      const blame = new Map<string, string>();
      for (const x of ours) {
        const checkedAt = checkedBefore(x.volumeId, x.acceptedAt);
        if (checkedAt === null) {
          figures.actionsInFlight++;
          problems.push(`seed ${seed}: our ${x.type} ${x.id} of ${x.volumeId} started with no live re-check`);
          continue;
        }
        // Accepted (its row committed) before our re-check read: that read saw it running.
        const busy = theirs.find(
          (y) => y.volumeId === x.volumeId && y.acceptedAt < checkedAt && checkedAt <= (y.endedAt ?? Infinity),
        );
        if (busy) {
          figures.actionsInFlight++;
          problems.push(
            `seed ${seed}: our ${x.type} ${x.id} of ${x.volumeId} started while the OMA ${busy.type} ${busy.id} ran`,
          );
          blame.set(busy.id, `our ${x.type} ${x.id} started while it ran`);
        }
        for (const y of theirs) {
          if (y.volumeId === x.volumeId && checkedAt <= y.acceptedAt && y.acceptedAt <= x.acceptedAt) {
            figures.simultaneousStarts++;
            figures.omaRaces.push(
              `seed ${seed}: OMA ${y.type} of ${y.volumeId} accepted ${y.acceptedAt - checkedAt} ms after our re-check, ${x.acceptedAt - y.acceptedAt} ms before our ${x.type}`,
            );
          }
        }
        const settling = theirs.find(
          (y) =>
            y.volumeId === x.volumeId &&
            y.endedAt !== null &&
            y.endedAt < checkedAt &&
            checkedAt - y.endedAt < GRACE_SECONDS * 1000,
        );
        if (settling) {
          figures.withinSettle++;
          problems.push(
            `seed ${seed}: our ${x.type} ${x.id} of ${x.volumeId} re-checked ${checkedAt - (settling.endedAt ?? 0)} ms after the OMA ${settling.type} ${settling.id} ended (settle ${GRACE_SECONDS} s)`,
          );
        }
        const within = sequences.find((q) => {
          const steps = theirs.filter((y) => q.operationIds.includes(y.id));
          if (!q.volumeIds.includes(x.volumeId) || steps.length === 0) return false;
          return (
            Math.min(...steps.map((y) => y.acceptedAt)) < checkedAt &&
            checkedAt <= Math.max(...steps.map((y) => y.endedAt ?? Infinity))
          );
        });
        if (within) {
          figures.backAndForth++;
          problems.push(`seed ${seed}: our ${x.type} ${x.id} of ${x.volumeId} during the OMA's ${within.name}`);
          for (const y of theirs) {
            if (y.volumeId === x.volumeId && y.acceptedAt > x.acceptedAt) {
              blame.set(y.id, `our ${x.type} ${x.id} moved the volume during the OMA's ${within.name}`);
            }
          }
        }
        // The OMA started on a volume our operation was moving: its race, reported apart.
        for (const y of theirs) if (y.volumeId === x.volumeId && overlaps(y, x)) figures.omaStartedDuringOurs++;
      }
      const perVolume = new Map<string, number>();
      for (const x of ours.filter((e) => e.type === 'attach' || e.type === 'detach' || e.type === 'delete')) {
        perVolume.set(x.volumeId, (perVolume.get(x.volumeId) ?? 0) + 1);
      }
      for (const [volumeId, n] of perVolume) {
        // A delete of an attached volume is a detach then a delete: one removal, two operations.
        const removal =
          ours
            .filter((e) => e.volumeId === volumeId)
            .map((e) => e.type)
            .join(',') === 'detach,delete';
        if (n > 1 && !removal) {
          figures.backAndForth++;
          problems.push(
            `seed ${seed}: volume ${volumeId} moved ${n} times by us (${ours
              .filter((e) => e.volumeId === volumeId)
              .map((e) => e.type)
              .join(', ')})`,
          );
        }
      }
      const failed = await db
        .selectFrom('volume_operations')
        .select(['id', 'type', 'volume_id', 'status', 'error'])
        .where('id', 'in', log.length > 0 ? log.map((e) => e.id) : ['-'])
        .where('status', '=', 'failed')
        .execute();
      for (const op of failed) {
        if (/Duplicate entry/i.test(op.error ?? '')) figures.duplicateKeyFailures++;
        const mine = !omaIds.has(op.id);
        const cause = mine ? 'ours' : (blame.get(op.id) ?? null);
        if (mine || cause !== null) {
          figures.failedBecauseOfUs++;
          problems.push(
            `seed ${seed}: ${mine ? 'our' : 'OMA'} ${op.type} ${op.id} of ${op.volume_id} failed (${cause ?? ''}): ${op.error ?? ''}`,
          );
        } else {
          // The OMA's own race with an operation of ours already running (the daemon has no lock).
          figures.omaFailedRacingUs++;
          figures.omaRaces.push(`seed ${seed}: OMA ${op.type} of ${op.volume_id}: ${op.error ?? ''}`);
        }
      }
      const actions = await db
        .selectFrom('oma_reconciler_actions')
        .select(['action', 'outcome'])
        .where('created_at', '>=', t0)
        .execute();
      figures.ourVolumeActions += actions.filter((a) => VOLUME_ACTIONS.has(a.action) && a.outcome === 'success').length;
    }

    expect(figures.interleavings).toBe(INTERLEAVINGS);
    expect(problems).toEqual([]);
    expect(figures).toMatchObject({
      duplicateKeyFailures: 0,
      failedBecauseOfUs: 0,
      actionsInFlight: 0,
      withinSettle: 0,
      backAndForth: 0,
    });
    // The interleavings did make us move volumes (the test can fail).
    expect(figures.ourVolumeActions).toBeGreaterThan(0);
  }, 900_000);
});
