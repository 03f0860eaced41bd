/**
 * The bare I/O floor of one pass: the very requests the pass made, with nothing around them. SQL:
 * the recorded statements replayed on the same mysql2 pool (statements of one checkout in order,
 * checkouts concurrently). CloudStack: the recorded pages fetched through the same client (`call`:
 * signing, HTTP, JSON parse), pages of one listing in order, listings concurrently. Files: the same
 * directory and file reads the nbd and devices sources make, made the same way (the same calls,
 * the same time slices), the NBD list request, and the Volume Daemon's `/health` probe (the same
 * client the pass's source uses). All five groups run concurrently — the pass has to wait for the database and CloudStack before it can
 * match devices, the floor does not.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool, PoolConnection } from 'mysql2';
import type { CloudStackClient } from '../../src/cloudstack/cloudstack-client.js';
import type { RequestParams } from '../../src/cloudstack/sign-request.js';
import { deviceUsage, loadUsageIndex } from '../../src/devices/device-usage.js';
import { serialFromLinkName } from '../../src/devices/volume-serial.js';
import { listNbdExports } from '../../src/nbd/nbd-client.js';
import { listConfFiles } from '../../src/nbd/read-nbd-config.js';
import type { NbdAddress } from '../../src/nbd/nbd-wire.js';
import { pendingFilePath } from '../../src/nbd/pending-store.js';
import { countNbdSessions, findNbdServer } from '../../src/nbd/server-process.js';
import { forEachTimeSliced } from '../../src/time-slices.js';
import { VolumeDaemonClient } from '../../src/volume-daemon/volume-daemon-client.js';
import type { RecordedSession } from './recording-database.js';

/** One listing as the pass fetched it: its command and the parameters of each page, in order. */
export interface RecordedListing {
  readonly command: string;
  readonly pages: readonly RequestParams[];
}

/** Everything the floor replays. */
export interface FloorPlan {
  readonly sqlSessions: readonly RecordedSession[];
  readonly listings: readonly RecordedListing[];
  readonly nbd: {
    readonly baseConfig: string;
    readonly confDir: string;
    readonly pidFile: string;
    readonly stateDir: string;
    readonly address: NbdAddress;
    readonly authfiles: readonly string[];
  };
  readonly byIdDir: string;
  /** The Volume Daemon the pass probes (`GET /health` once per pass); null when the pass probes none. */
  readonly volumeDaemonUrl: string | null;
}

async function replaySession(pool: Pool, session: RecordedSession): Promise<void> {
  const conn = await new Promise<PoolConnection>((resolve, reject) => {
    pool.getConnection((error, c) => {
      if (error) reject(error);
      else resolve(c);
    });
  });
  try {
    for (const s of session) {
      await new Promise<void>((resolve, reject) => {
        conn.query(s.sql, [...s.parameters], (e) => {
          if (e) reject(e);
          else resolve();
        });
      });
    }
  } finally {
    conn.release();
  }
}

async function readConfig(plan: FloorPlan['nbd']): Promise<void> {
  await readFile(plan.baseConfig, 'utf8');
  await forEachTimeSliced(await listConfFiles(plan.confDir), (file) => readFileSync(file, 'utf8'));
  for (const authfile of plan.authfiles) await readFile(authfile, 'utf8').catch(() => '');
  await readFile(pendingFilePath(plan.stateDir), 'utf8').catch(() => '');
  const found = await findNbdServer(plan.pidFile);
  if (!found.running) return;
  await countNbdSessions(found.server.pid);
  await listNbdExports(plan.address);
}

async function readDevices(dir: string): Promise<void> {
  const names = await readdir(dir);
  const index = await loadUsageIndex();
  const targets: string[] = [];
  await forEachTimeSliced(names, (name) => {
    if (serialFromLinkName(name) === null) return;
    try {
      targets.push(realpathSync.native(join(dir, name)));
    } catch {
      // dangling: nothing more is read for it
    }
  });
  for (const target of targets) await deviceUsage(target, index);
}

/** Replays the plan once; resolves when every request has been answered. */
export async function replayFloor(plan: FloorPlan, pool: Pool, client: CloudStackClient): Promise<void> {
  await Promise.all([
    Promise.all(plan.sqlSessions.map((s) => replaySession(pool, s))),
    Promise.all(
      plan.listings.map(async (l) => {
        for (const page of l.pages) await client.call(l.command, page);
      }),
    ),
    readConfig(plan.nbd),
    readDevices(plan.byIdDir),
    plan.volumeDaemonUrl === null ? null : new VolumeDaemonClient({ url: plan.volumeDaemonUrl }).health(),
  ]);
}
