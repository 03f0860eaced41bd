/**
 * The real Volume Daemon's faults (oma-system.md §2.3/§2.4/§3.5, §6 incidents 9–11 and 20, §10),
 * each switchable. All are ON by default, because that is how the real daemon behaves; OFF shows
 * what a fixed daemon would do, so tests can show both.
 */
import { InvalidInputError } from '../errors.js';

export const VOLUME_DAEMON_FAULTS = [
  /** ON: plain INSERT of the mapping → `Error 1062: Duplicate entry … for key 'volume_id'` after CloudStack attached; OFF: a stale row of the volume is replaced. */
  'duplicate-mapping',
  /** ON: a detach without a mapping keeps the export (row + conf.d file); OFF: the export is removed. */
  'detach-keeps-export',
  /** ON: a delete without a mapping skips the detach, so CloudStack refuses to delete an attached volume; OFF: CloudStack is asked and the volume detached first. */
  'delete-skips-detach',
  /** ON: no by-id link within the wait → the operation fails although CloudStack attached; OFF: the attach is rolled back in CloudStack before failing. */
  'link-timeout',
  /** ON: operations left `pending`/`executing` by a crash stay so forever; OFF: a restart marks them `failed`. */
  'no-resume',
  /** ON: one SIGHUP to nbd-server per export change; OFF: no signal at all. */
  'hup-per-change',
] as const;

export type VolumeDaemonFault = (typeof VOLUME_DAEMON_FAULTS)[number];

/** Which faults are on. Mutable: tests switch them while the simulator runs. */
export type FaultSwitches = Record<VolumeDaemonFault, boolean>;

/** Programmatic form: `'all'`, `'none'`, or per-fault overrides of "all on". */
export type FaultsInput = 'all' | 'none' | Partial<FaultSwitches>;

const isFault = (name: string): name is VolumeDaemonFault => (VOLUME_DAEMON_FAULTS as readonly string[]).includes(name);

/** The switches for an input (default: every fault on, as the real daemon). */
export function resolveFaults(input: FaultsInput = 'all'): FaultSwitches {
  const all = (on: boolean) => Object.fromEntries(VOLUME_DAEMON_FAULTS.map((f) => [f, on])) as FaultSwitches;
  if (input === 'all') return all(true);
  if (input === 'none') return all(false);
  for (const key of Object.keys(input)) {
    if (!isFault(key)) {
      throw new InvalidInputError(
        `unknown Volume Daemon simulator fault "${key}" (known: ${VOLUME_DAEMON_FAULTS.join(', ')})`,
        'faults',
      );
    }
  }
  return { ...all(true), ...input };
}

/**
 * Parses `VOLUME_DAEMON_SIM_FAULTS`: empty/unset or `all` = every fault; `none`; a comma list of
 * names = only those; a comma list of `-name` = every fault but those.
 * @throws InvalidInputError naming the variable and the unknown name.
 */
export function parseFaultList(text: string | undefined, origin = 'VOLUME_DAEMON_SIM_FAULTS'): FaultSwitches {
  const value = (text ?? '').trim();
  if (value === '' || value === 'all') return resolveFaults('all');
  if (value === 'none') return resolveFaults('none');
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const negative = items.every((i) => i.startsWith('-'));
  if (!negative && items.some((i) => i.startsWith('-'))) {
    throw new InvalidInputError(
      `${origin}: ${JSON.stringify(value)} mixes names and -names; use "a,b" (only those) or "-a,-b" (all but those)`,
      'faults',
    );
  }
  const names = items.map((i) => (negative ? i.slice(1) : i));
  const unknown = names.filter((n) => !isFault(n));
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `${origin}: unknown fault ${unknown.map((u) => JSON.stringify(u)).join(', ')} (known: all, none, ${VOLUME_DAEMON_FAULTS.join(', ')})`,
      'faults',
    );
  }
  const switches = resolveFaults(negative ? 'all' : 'none');
  for (const n of names) switches[n as VolumeDaemonFault] = negative ? false : true;
  return switches;
}
