/**
 * live-export-mismatch — nbd-server's in-memory export list disagrees with its config files: an
 * export still served after its section was removed, a configured export not served yet, or an export
 * served with a path that was changed since (nbd-server only ever *adds* on SIGHUP, and 3.24 must not
 * be HUPed at all — nbd-server.md §0). The stale entries cause "Access denied"/"Export unknown" on
 * the next replication (incident 3).
 *
 * Desired: the configured export sections (nbd). Actual: the server's live list (`NBD_OPT_LIST`) and
 * the NBD manager's pending changes. Needs a complete nbd source and a listable server.
 *
 * Actions: `restart-nbd-server` (one proposal per export, coalesced by the NBD manager, which restarts
 * only when no session is open and reports the change pending otherwise; a restart with no sessions
 * loses nothing). Never `dummy`, `generic` or `backup-*`; legacy names are reported only.
 * Safety rails: in-flight (the export's context), paused, and the manager's idle check.
 */
import type { DriftItem, Policy } from '../src/reconcile/types.js';
import type { Reconciler } from './lib/reconciler.js';
import type { NbdPendingChange, World } from '../src/world/world.js';
import { fact, makeDrift, sortDrift } from './lib/drift.js';
import { isLegacyExportName, isProtectedExportName, volumeIdFromExportName } from './lib/names.js';
import { indexWorld, type WorldIndex } from './lib/world-index.js';

function mismatches(
  live: boolean,
  configured: { readonly denied: boolean } | undefined,
  pending: readonly NbdPendingChange[],
): string[] {
  const out: string[] = [];
  if (live && !configured) out.push('served but in no config file');
  if (configured && !configured.denied && !live) out.push('configured but not served');
  for (const p of pending) {
    if (live && p.change === 'update') out.push(`served with a stale path (changed ${p.since})`);
    if (live && configured && p.change === 'remove') out.push(`removed ${p.since} but still served`);
  }
  return out;
}

function diff(world: World, _policy: Policy, _now: Date, idx: WorldIndex = indexWorld(world)): readonly DriftItem[] {
  const liveList = world.nbd.server.liveExports;
  if (!world.sources.nbd.complete || liveList === null) return [];
  const live = new Set(liveList);
  const names = new Set([
    ...liveList,
    ...world.nbd.configured.map((e) => e.name),
    ...world.nbd.pending.map((p) => p.exportName),
  ]);
  const sessions = world.nbd.server.sessions ?? 0;
  const items: DriftItem[] = [];
  for (const name of names) {
    if (isProtectedExportName(name)) continue;
    const configured = idx.configuredExports.get(name);
    const pending = world.nbd.pending.filter((p) => p.exportName === name);
    const found = mismatches(live.has(name), configured, pending);
    if (found.length === 0) continue;
    const volumeId = volumeIdFromExportName(name);
    const legacy = isLegacyExportName(name);
    const waiting = pending.map((p) => `${p.change} pending since ${p.since}: ${p.reason}`);
    items.push(
      makeDrift({
        kind: 'live-export-mismatch',
        class: 'mismatch',
        subject: { type: 'nbd-export', id: name, name: configured?.exportname ?? null },
        contextId:
          idx.nbdRowsByName.get(name)?.vmContextId ??
          (volumeId ? (idx.osseaVolumes.get(volumeId)?.vmContextId ?? null) : null),
        evidence: [
          fact(
            'nbd',
            `${found.join('; ')} (nbd-server ${world.nbd.server.version ?? '?'}, pid ${world.nbd.server.pid ?? '?'}, ${sessions} live session(s))`,
          ),
          ...waiting.map((w) => fact('nbd', w)),
        ],
        actions: legacy
          ? []
          : [{ action: 'restart-nbd-server', params: { reason: `${name}: ${found.join('; ')}` }, destructive: false }],
        note: legacy
          ? 'legacy export name: reported only'
          : sessions > 0
            ? `nbd-server has ${sessions} live session(s); the NBD manager restarts it only when idle, the change stays pending until then`
            : null,
      }),
    );
  }
  return sortDrift(items);
}

/**
 * @example
 * // test "proposes a non-destructive restart…": migration-vol-vol-web-0 was removed from conf.d, the
 * // server still lists it and has 2 live sessions
 * liveExportMismatch.diff(world, policy, now)
 * // → [{ id: 'live-export-mismatch:nbd-export:migration-vol-vol-web-0', contextId: 'ctx-web', actions: [{
 * //      action: 'restart-nbd-server', params: { reason: 'migration-vol-vol-web-0: served but in no config file' },
 * //      destructive: false }], note: 'nbd-server has 2 live session(s); the NBD manager restarts it only when idle, …' }]
 */
export const liveExportMismatch: Reconciler = { kind: 'live-export-mismatch', needs: ['database', 'nbd'], diff };
