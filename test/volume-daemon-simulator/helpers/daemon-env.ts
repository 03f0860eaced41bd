/**
 * A small appliance for Volume Daemon tests: a fresh MariaDB database with the active
 * `ossea_configs` row and one VM context, the project's CloudStack simulator (with the OMA VM and a
 * test VM), temp conf.d / by-id / devices dirs, and a stand-in nbd-server process that counts the
 * SIGHUPs it receives (its PID in the pid file). The Volume Daemon simulator is started on it with
 * `startDaemon()`, as often as a test likes (a restart keeps the database).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../src/log.js';
import { startSimulator, type Simulator } from '../../../src/simulator/start-simulator.js';
import { VolumeDaemonClient } from '../../../src/volume-daemon/volume-daemon-client.js';
import {
  startVolumeDaemonSimulator,
  type VolumeDaemonSimulator,
  type VolumeDaemonSimulatorOptions,
} from '../../../src/volume-daemon-simulator/start-volume-daemon-simulator.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

export const GiB = 1024 ** 3;

/** A process that stands in for nbd-server's parent: counts SIGHUPs, answers SIGUSR1 with a marker. */
export interface HupCounter {
  readonly pid: number;
  /** HUPs received so far. */
  readonly received: () => number;
  /** Resolves once every signal sent before this call has been handled (SIGUSR1 round trip). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

async function startHupCounter(): Promise<HupCounter> {
  const script = `let n=0;process.on('SIGHUP',()=>{n++;process.stdout.write('HUP '+n+'\\n')});process.on('SIGUSR1',()=>process.stdout.write('USR1\\n'));process.stdout.write('ready\\n');setInterval(()=>{},1e6);`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      if (w.test()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const until = (test: () => boolean) =>
    test() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ test, resolve }));
  await until(() => out.includes('ready'));
  const count = (re: RegExp) => out.match(re)?.length ?? 0;
  return {
    pid: child.pid ?? 0,
    received: () => count(/^HUP /gm),
    settle: async () => {
      const before = count(/^USR1$/gm);
      child.kill('SIGUSR1');
      await until(() => count(/^USR1$/gm) > before);
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface DaemonEnv {
  readonly db: TestDatabase;
  readonly cs: Simulator;
  readonly omaVmId: string;
  readonly testVmId: string;
  readonly contextId: string;
  readonly dirs: {
    readonly root: string;
    readonly confDir: string;
    readonly byIdDir: string;
    readonly devicesDir: string;
    readonly baseConfig: string;
    readonly pidFile: string;
  };
  readonly hup: HupCounter;
  /** A DATADISK in CloudStack (detached unless `attachedTo`) with its `ossea_volumes` row. */
  addVolume(options?: {
    readonly sizeBytes?: number;
    readonly attachedTo?: string;
    readonly type?: 'ROOT' | 'DATADISK';
  }): Promise<string>;
  /** Starts a Volume Daemon simulator on this appliance (faults all on unless given). */
  startDaemon(options?: Partial<VolumeDaemonSimulatorOptions>): Promise<VolumeDaemonSimulator>;
  /** A client of a started daemon, polling every 10 ms. */
  client(daemon: VolumeDaemonSimulator): VolumeDaemonClient;
  close(): Promise<void>;
}

export async function startDaemonEnv(): Promise<DaemonEnv> {
  const db = await createTestDatabase();
  const cs = await startSimulator({ omaVm: { name: 'oma-appliance' }, config: { asyncJobDurationMs: 0 } });
  const omaVmId = cs.omaVmId ?? '';
  const testVmId = cs.state.addVirtualMachine({ name: 'pgtest1-test' }).id;
  const root = await mkdtemp(join(tmpdir(), 'omarec-vdsim-'));
  const dirs = {
    root,
    confDir: join(root, 'conf.d'),
    byIdDir: join(root, 'by-id'),
    devicesDir: join(root, 'devices'),
    baseConfig: join(root, 'config-base'),
    pidFile: join(root, 'nbd-server.pid'),
  };
  await Promise.all([mkdir(dirs.confDir), mkdir(dirs.byIdDir), mkdir(dirs.devicesDir)]);
  await writeFile(
    dirs.baseConfig,
    `[generic]\nport = 10809\nincludedir = ${dirs.confDir}\n\n[dummy]\nexportname = /dev/null\nreadonly = true\n`,
  );
  const hup = await startHupCounter();
  await writeFile(dirs.pidFile, `${hup.pid}\n`);
  const config = await db.db
    .insertInto('ossea_configs')
    .values({
      name: 'production-ossea',
      api_url: cs.url,
      api_key: cs.apiKey,
      secret_key: cs.secretKey,
      domain: null,
      zone: cs.state.defaults.zoneId,
      template_id: cs.state.defaults.templateId,
      network_id: null,
      service_offering_id: cs.state.defaults.serviceOfferingId,
      disk_offering_id: cs.state.defaults.diskOfferingId,
      oma_vm_id: omaVmId,
      is_active: 1,
    })
    .executeTakeFirstOrThrow();
  const contextId = 'ctx-pgtest1-20261207-180000';
  await db.db
    .insertInto('vm_replication_contexts')
    .values({
      context_id: contextId,
      vm_name: 'pgtest1',
      vmware_vm_id: 'vmw-1',
      vm_path: '/dc/vm/pgtest1',
      vcenter_host: 'vc.local',
      datacenter: 'dc',
      current_status: 'ready_for_failover',
    })
    .execute();
  const daemons: VolumeDaemonSimulator[] = [];
  let n = 0;
  return {
    db,
    cs,
    omaVmId,
    testVmId,
    contextId,
    dirs,
    hup,
    addVolume: async (options = {}) => {
      n++;
      const volume = cs.state.addVolume({
        name: `migration-pgtest1-pgtest1-disk-${n}`,
        type: options.type ?? 'DATADISK',
        sizeBytes: options.sizeBytes ?? 2 * GiB,
        ...(options.attachedTo ? { virtualMachineId: options.attachedTo } : {}),
      });
      await db.db
        .insertInto('ossea_volumes')
        .values({
          vm_context_id: contextId,
          volume_id: volume.id,
          volume_name: volume.name,
          size_gb: Math.ceil(volume.sizeBytes / GiB),
          ossea_config_id: String(config.insertId),
          volume_type: 'DATADISK',
          status: options.attachedTo ? 'attached' : 'detached',
        })
        .execute();
      return volume.id;
    },
    startDaemon: async (options = {}) => {
      const daemon = await startVolumeDaemonSimulator({
        databaseUrl: db.url,
        nbd: { baseConfig: dirs.baseConfig, confDir: dirs.confDir, pidFile: dirs.pidFile },
        byIdDir: dirs.byIdDir,
        devicesDir: dirs.devicesDir,
        logger: createLogger('silent'),
        cloudstackTuning: {
          poll: { initialMs: 5, factor: 1.5, maxMs: 50 },
          retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20, factor: 2 },
        },
        ...options,
      });
      daemons.push(daemon);
      return daemon;
    },
    client: (daemon) => new VolumeDaemonClient({ url: daemon.url, pollIntervalMs: 10 }),
    close: async () => {
      for (const d of daemons) await d.close();
      await hup.stop();
      await cs.close();
      await rm(root, { recursive: true, force: true });
      await db.drop();
    },
  };
}
