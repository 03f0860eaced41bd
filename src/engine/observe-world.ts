/**
 * Observation: one pass reads every source concurrently and assembles a {@link World}. Each source
 * is marked complete or incomplete with its reason; a failure of one source never empties it, and
 * never stops the others (an unreachable nbd-server does not block CloudStack repairs).
 */
import type { Kysely } from 'kysely';
import type { CloudStackClient } from '../cloudstack/cloudstack-client.js';
import { confirmAbsence } from '../cloudstack/confirm-absence.js';
import { observeCloudStack } from '../cloudstack/observe-cloudstack.js';
import type { DB } from '../db/schema-types.js';
import { readDatabaseFacts } from '../db/queries/read-database-facts.js';
import { implausibleDeviceScan } from '../devices/device-plausibility.js';
import { matchDeviceLinks, scanDeviceLinks, type DeviceScan } from '../devices/observe-devices.js';
import { coerceError } from '../errors.js';
import { observeNbd, type ObserveNbdOptions } from '../nbd/observe-nbd.js';
import type {
  CloudStackFacts,
  DatabaseFacts,
  DeviceFacts,
  NbdFacts,
  SourceStatus,
  VolumeDaemonFacts,
  World,
} from '../world/world.js';
import { expectedObjects } from './expected-objects.js';
import { readPassRecords } from './store/pass-records.js';

/** What observation needs; the CloudStack client is resolved per pass (credentials live in the DB). */
export interface ObserveDeps {
  readonly db: Kysely<DB>;
  /** Returns the client, or throws a clear error when credentials are missing (source incomplete). */
  readonly cloudstack: () => Promise<{ client: CloudStackClient; omaVmId: string | null }>;
  readonly nbd: ObserveNbdOptions;
  readonly deviceByIdDir: string;
  readonly clock: () => Date;
  /** Which path volume moves take this pass (one `/health` probe); absent = the daemon is not used. */
  readonly volumeDaemon?: () => Promise<VolumeDaemonFacts>;
}

const EMPTY_DB: DatabaseFacts = {
  omaVmId: null,
  contexts: [],
  replicationJobs: [],
  vmDisks: [],
  osseaVolumes: [],
  deviceMappings: [],
  nbdExports: [],
  vmExportMappings: [],
  failoverJobs: [],
  jobTracking: [],
  volumeOperations: [],
  ledger: [],
  driftFirstSeen: {},
  cleanupRequests: [],
};
const EMPTY_CS: CloudStackFacts = { volumes: [], snapshots: [], virtualMachines: [] };
const EMPTY_NBD: NbdFacts = {
  configured: [],
  parseErrors: [],
  pending: [],
  server: { running: false, pid: null, version: null, sessions: null, liveExports: null },
};
const EMPTY_DEVICES: DeviceFacts = { links: [] };

const failed = (e: unknown): SourceStatus => ({ complete: false, error: coerceError(e).message, inventory: 0 });

/** The status of a source observation (`exactOptionalPropertyTypes`: no `error: undefined`). */
function statusOf(o: {
  readonly complete: boolean;
  readonly error?: string;
  readonly inventory: number;
}): SourceStatus {
  return o.error === undefined
    ? { complete: o.complete, inventory: o.inventory }
    : { complete: o.complete, error: o.error, inventory: o.inventory };
}

function dbInventory(facts: DatabaseFacts): number {
  return facts.contexts.length + facts.osseaVolumes.length + facts.nbdExports.length + facts.deviceMappings.length;
}

const noDaemon = (): Promise<VolumeDaemonFacts> =>
  Promise.resolve({
    path: 'direct',
    configuredMode: 'off',
    url: '',
    reason: 'the Volume Daemon is not configured for this run',
  });

/**
 * The daemon source is incomplete only when it is required and does not answer. Its inventory is
 * not counted (its operations are database rows), so the sanity gate never judges it.
 */
function daemonStatus(facts: VolumeDaemonFacts): SourceStatus {
  return facts.path === 'unavailable'
    ? { complete: false, error: facts.reason ?? 'the Volume Daemon does not answer', inventory: 0 }
    : { complete: true, inventory: 0 };
}

/**
 * The CloudStack observation once every volume, snapshot and VM the database expects but the
 * listings lack was looked up by id (issue 15, 6.1): a listing that missed one is not the whole
 * truth, so it is incomplete. Nothing missing, nothing looked up.
 */
async function withConfirmedAbsence<
  T extends {
    facts: CloudStackFacts;
    status: SourceStatus;
    client: CloudStackClient | null;
    omaVmId: string | null;
  },
>(cs: T, db: DatabaseFacts, signal: AbortSignal | undefined): Promise<T> {
  if (cs.client === null) return cs;
  const expected = expectedObjects(db, cs.omaVmId ?? db.omaVmId);
  const problem = await confirmAbsence(cs.client, expected, cs.facts, signal ? { signal } : {}).catch(
    (e: unknown) => `cannot confirm absent objects: ${coerceError(e).message}`,
  );
  return problem === null ? cs : { ...cs, status: { complete: false, error: problem, inventory: cs.status.inventory } };
}

/** Observes every source and returns the world snapshot of this pass. */
export async function observeWorld(deps: ObserveDeps, signal?: AbortSignal): Promise<World> {
  const started = deps.clock();
  const observedAt = started.toISOString();
  const dbPromise = readDatabaseFacts(deps.db).then(
    (facts) => ({ facts, status: { complete: true, inventory: dbInventory(facts) } }),
    (e: unknown) => ({ facts: EMPTY_DB, status: failed(e) }),
  );
  const csPromise = deps
    .cloudstack()
    .then(async ({ client, omaVmId }) => {
      const o = await observeCloudStack(client, signal ? { signal } : {});
      return { facts: o.facts, status: statusOf(o), omaVmId, client };
    })
    .catch((e: unknown) => ({ facts: EMPTY_CS, status: failed(e), omaVmId: null, client: null }));
  const nbdPromise = observeNbd(deps.nbd).then(
    (o) => ({ facts: o.facts, status: statusOf(o) }),
    (e: unknown) => ({ facts: EMPTY_NBD, status: failed(e) }),
  );
  // The reconciler's own records (inventory baseline, last hour's destructive actions, mode
  // ceiling) in one statement; null when unreadable, which planPass refuses (no budget counts).
  const recordsPromise = readPassRecords(deps.db, new Date(started.getTime() - 3_600_000)).catch((e: unknown) => ({
    error: coerceError(e).message,
  }));
  // The by-id scan needs no ids: it runs alongside the other reads (it waited for them before,
  // which put a whole directory scan after the slowest source at 10,000 VMs).
  const scanPromise = scanDeviceLinks(deps.deviceByIdDir).catch((e: unknown): DeviceScan => ({
    complete: false,
    error: coerceError(e).message,
  }));

  const daemonPromise = (deps.volumeDaemon ?? noDaemon)().then(
    (facts) => ({ facts, status: daemonStatus(facts) }),
    (e: unknown) => ({ facts: null, status: failed(e) }),
  );

  const db = await dbPromise;
  // Devices are matched against every volume id the database or CloudStack knows.
  const listed = await csPromise;
  const cs =
    listed.client !== null && listed.status.complete && db.status.complete
      ? await withConfirmedAbsence(listed, db.facts, signal)
      : listed;
  const known = new Set<string>([
    ...db.facts.osseaVolumes.map((v) => v.volumeId),
    ...cs.facts.volumes.map((v) => v.id),
  ]);
  const scanned = matchDeviceLinks(await scanPromise, [...known]);
  // With CloudStack complete, the volumes attached to the OMA say which links must be there.
  const implausible =
    scanned.complete && cs.status.complete
      ? implausibleDeviceScan(deps.deviceByIdDir, scanned.facts.links, cs.facts.volumes, cs.omaVmId ?? db.facts.omaVmId)
      : null;
  const matched = implausible === null ? scanned : { ...scanned, complete: false, error: implausible };
  const devices = { facts: matched.complete ? matched.facts : EMPTY_DEVICES, status: statusOf(matched) };
  const [nbd, read, daemon] = await Promise.all([nbdPromise, recordsPromise, daemonPromise]);
  const records = 'error' in read ? null : read;
  // Unreadable own records make the database source incomplete too, with their cause.
  const dbStatus: SourceStatus =
    records === null && db.status.complete
      ? {
          complete: false,
          error: `the reconciler's own records: ${'error' in read ? read.error : ''}`,
          inventory: db.status.inventory,
        }
      : db.status;
  return {
    version: 1,
    observedAt,
    sources: {
      database: dbStatus,
      cloudstack: cs.status,
      nbd: nbd.status,
      devices: devices.status,
      'volume-daemon': daemon.status,
    },
    omaVmId: cs.omaVmId ?? db.facts.omaVmId,
    database: db.facts,
    cloudstack: cs.facts,
    nbd: nbd.facts,
    devices: devices.facts,
    ...(daemon.facts ? { volumeDaemon: daemon.facts } : {}),
    previousInventory: records?.previousInventory ?? {},
    ...(records ? { passContext: records.passContext } : {}),
  };
}
