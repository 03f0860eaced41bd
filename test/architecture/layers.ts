/**
 * The rooms of the code base and the one direction imports go between them: THE place that lists
 * the allowed directions (the layering test enforces it, the README's "Layout" picture draws it).
 *
 * Rooms are listed top to bottom: a room may import only rooms listed AFTER it, and only those it
 * names in `imports`. Every room may also import the kernel (`src/*.ts`: errors, log, string pool,
 * time slices), which imports no room. Imports inside one room are free.
 */
export interface Room {
  /** Folder (relative to the repository root) the room is, without a trailing slash. */
  readonly room: string;
  /** What it holds, for the test's names and the README. */
  readonly holds: string;
  /** Rooms it may import (each listed below it). */
  readonly imports: readonly string[];
}

/** Files directly under `src/`; every room may import them, they import no room. */
export const KERNEL = 'src/*.ts';

export const ROOMS: readonly Room[] = [
  {
    room: 'src/cli',
    holds: 'the thin CLI, one file per command',
    imports: [
      'src/demo',
      'src/compose',
      'src/daemon',
      'src/workflows',
      'src/engine',
      'reconcilers/lib',
      'src/volume-daemon-simulator',
      'src/simulator',
      'src/db',
      'src/reconcile',
      'src/config',
      'src/world',
    ],
  },
  {
    room: 'src/demo',
    holds: 'the self-contained demo',
    imports: [
      'src/compose',
      'src/appliance-world',
      'src/volume-daemon-simulator',
      'src/daemon',
      'src/workflows',
      'src/engine',
      'reconcilers/lib',
      'src/db',
      'src/reconcile',
      'src/config',
      'src/world',
    ],
  },
  {
    room: 'src/compose',
    holds: 'the composition root: wires a running reconciler',
    imports: [
      'src/notify',
      'src/daemon',
      'src/http',
      'src/workflows',
      'src/engine',
      'src/metrics',
      'reconcilers/lib',
      'src/db',
      'src/reconcile',
      'src/config',
      'src/world',
    ],
  },
  {
    room: 'src/appliance-world',
    holds: 'builds a whole appliance (rows, simulator, NBD, by-id links) for tests, demo, bench',
    imports: ['src/simulator', 'src/db', 'src/reconcile', 'src/config', 'src/world'],
  },
  {
    room: 'src/volume-daemon-simulator',
    holds: 'the faithful Volume Management Daemon simulator (its faults switchable)',
    imports: ['src/volume-daemon', 'src/db', 'src/cloudstack', 'src/nbd', 'src/devices', 'src/config', 'src/world'],
  },
  {
    room: 'src/notify',
    holds: 'webhook notifications: outbox, events, delivery',
    imports: ['src/engine', 'reconcilers/lib', 'src/db', 'src/reconcile', 'src/config', 'src/world'],
  },
  {
    room: 'src/daemon',
    holds: 'loop, leadership, triggers, lifecycle',
    imports: ['src/http', 'src/metrics', 'src/nbd', 'src/db', 'src/reconcile', 'src/config', 'src/world'],
  },
  {
    room: 'src/http',
    holds: 'HTTP API, probes, status page',
    imports: [
      'src/workflows',
      'src/engine',
      'src/metrics',
      'reconcilers/lib',
      'src/reconcile',
      'src/config',
      'src/world',
    ],
  },
  {
    room: 'src/workflows',
    holds: 'resumable cleanup workflows run by the act step',
    imports: [
      'src/engine',
      'src/volume-ops',
      'reconcilers/lib',
      'src/db',
      'src/cloudstack',
      'src/nbd',
      'src/devices',
      'src/reconcile',
      'src/config',
      'src/world',
    ],
  },
  {
    room: 'src/engine',
    holds: 'the pass: observe, diff, gate, act, record, validate',
    imports: [
      'reconcilers',
      'src/volume-ops',
      'src/volume-daemon',
      'reconcilers/lib',
      'src/db',
      'src/cloudstack',
      'src/nbd',
      'src/devices',
      'src/reconcile',
      'src/config',
      'src/world',
    ],
  },
  {
    room: 'src/volume-ops',
    holds: 'one writer per volume: moves through the Volume Daemon, or directly with its bookkeeping',
    imports: [
      'src/volume-daemon',
      'reconcilers/lib',
      'src/db',
      'src/cloudstack',
      'src/nbd',
      'src/devices',
      'src/config',
      'src/world',
    ],
  },
  {
    room: 'src/metrics',
    holds: 'the metric registry and its bounded label sets',
    imports: ['src/cloudstack', 'src/reconcile', 'src/config', 'src/world'],
  },
  {
    room: 'reconcilers',
    holds: 'the thirteen pure drift reconcilers',
    imports: ['reconcilers/lib', 'src/reconcile', 'src/config', 'src/world'],
  },
  {
    room: 'reconcilers/lib',
    holds: 'pure predicates the reconcilers share',
    imports: ['src/reconcile', 'src/config', 'src/world'],
  },
  {
    room: 'src/volume-daemon',
    holds: 'the typed Volume Management Daemon client',
    imports: ['src/config', 'src/world'],
  },
  { room: 'src/simulator', holds: 'the faithful CloudStack simulator', imports: ['src/cloudstack'] },
  { room: 'src/db', holds: 'typed database access and queries', imports: ['schema', 'src/world'] },
  { room: 'src/cloudstack', holds: 'the signed CloudStack client', imports: ['src/config', 'src/world'] },
  { room: 'src/nbd', holds: 'nbd-server config, protocol, safe apply', imports: ['src/world'] },
  { room: 'src/devices', holds: 'by-id scanning', imports: ['src/world'] },
  {
    room: 'src/reconcile',
    holds: "contracts: the pass's types, drift ids, outcomes, the engine and daemon ports",
    imports: ['src/config', 'src/world'],
  },
  { room: 'src/config', holds: 'the configuration schema and its layers', imports: ['src/world'] },
  { room: 'src/world', holds: 'contracts: the world snapshot, drift kinds, sources, gates', imports: [] },
  { room: 'schema', holds: 'both migration sets', imports: [] },
];
