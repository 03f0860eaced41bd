/**
 * The installed package, run the way its unit runs it (issue 18). Needs root, MariaDB on
 * 127.0.0.1:3306 and Debian's nbd-server; the .deb must be installed (sandboxed-run.sh does that).
 *
 * 1. A test appliance: a fresh database with an OMA world, the CloudStack simulator and a real
 *    nbd-server in a cgroup named like its unit (…/nbd-server.service). A stand-in for the service
 *    manager answers `systemctl` over loopback TCP (the D-Bus call): it stops the unit's main
 *    process and starts the new nbd-server in the unit's cgroup, outside the reconciler's sandbox.
 * 2. The installed binary in the unit's sandbox (unit-sandbox.sh: read-only system, ReadWritePaths,
 *    StateDirectory, PrivateTmp, ProtectHome, the unit's user and capabilities) with node made
 *    unexecutable: `--version`, `migrate --dry-run`, `plan`, then `run` in enforce mode.
 * 3. Drift that needs both an export add and an export remove; both must land in conf.d and be
 *    served (or no longer served) after the restart the daemon asks systemd for.
 * Prints one line per check and a closing "N passed, N failed"; exits 1 on any failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { demoDatabaseUrl, recreateDemoDatabase } from '../../../src/demo/demo-database.js';
import { startApplianceEnv, type ApplianceEnv } from '../../../src/appliance-world/appliance-env.js';
import { byIdPath } from '../../../src/world/by-id.js';
import { NBD_SERVER_BIN } from '../../../src/appliance-world/nbd-sandbox.js';
import { listNbdExports } from '../../../src/nbd/nbd-client.js';
import { findNbdServer } from '../../../src/nbd/server-process.js';
import { DRIFT_KINDS } from '../../../src/world/drift-kinds.js';

const UNIT = '/lib/systemd/system/oma-reconciler.service';
const BIN = '/usr/bin/oma-reconciler';
const ENV_FILE = '/etc/oma-reconciler/env';
const CI_CONFIG = '/etc/oma-reconciler/ci-config.json';
const SANDBOX = fileURLToPath(new URL('./unit-sandbox.sh', import.meta.url));
const VERSION = (
  JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failed++;
  process.stdout.write(`${ok ? 'ok' : 'not ok'} - ${name}${ok || detail === '' ? '' : `: ${detail}`}\n`);
}
const measure = (what: string, value: string): boolean => process.stdout.write(`measure: ${what} ${value}\n`);

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion with exactly `env` (PATH included); resolves its code and output. */
function run(command: string, args: readonly string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', (e) => {
      resolve({ code: null, stdout, stderr: e.message });
    });
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a command to completion in the unit's sandbox; resolves its code and output. */
function inSandbox(argv: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(SANDBOX, [UNIT, ...argv], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** The cgroup hierarchy systemd names units in: v1 `name=systemd` if mounted, else cgroup2. */
async function cgroupRoot(): Promise<string> {
  const lines = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n');
  const line = lines.find((l) => / - cgroup \S+ .*name=systemd/.test(l)) ?? lines.find((l) => / - cgroup2 /.test(l));
  const mountPoint = line?.split(' ')[4];
  if (mountPoint === undefined) throw new Error('no cgroup hierarchy to put nbd-server in a unit cgroup');
  return mountPoint;
}

async function isDescendantOf(pid: number, ancestor: number): Promise<boolean> {
  for (let p = pid; p > 1;) {
    if (p === ancestor) return true;
    p = Number(/^PPid:\s*(\d+)/m.exec(await readFile(`/proc/${p}/status`, 'utf8').catch(() => ''))?.[1] ?? 0);
  }
  return false;
}

/** The stand-in for systemd: restarts nbd-server.service inside its cgroup, answers MainPID. */
function serviceManager(appliance: ApplianceEnv, unitCgroup: string) {
  const requests: string[] = [];
  const mainPid = async (): Promise<number> => {
    const found = await findNbdServer(appliance.dirs.pidFile);
    return found.running ? found.server.pid : 0;
  };
  const restart = async (): Promise<void> => {
    const old = await mainPid();
    if (old > 0) {
      process.kill(old, 'SIGTERM');
      await waitFor(`nbd-server ${old} to exit`, 15_000, async () =>
        (await findNbdServer(appliance.dirs.pidFile)).running ? null : true,
      );
    }
    const launcher = spawn(
      'sh',
      [
        '-c',
        'echo $$ > "$0/cgroup.procs" && exec "$@"',
        unitCgroup,
        NBD_SERVER_BIN,
        '-C',
        appliance.dirs.baseConfig,
        '-p',
        appliance.dirs.pidFile,
      ],
      {
        stdio: 'ignore',
        detached: true,
        cwd: '/',
      },
    );
    const code = await new Promise<number | null>((resolve) => launcher.once('close', resolve));
    if (code !== 0) throw new Error(`nbd-server did not start (exit ${code})`);
    await waitFor('the new nbd-server to answer', 15_000, async () => {
      const found = await findNbdServer(appliance.dirs.pidFile);
      if (!found.running || found.server.pid === old || !found.server.hupHandlerInstalled) return null;
      await listNbdExports(appliance.nbd?.address ?? { host: '127.0.0.1', port: appliance.nbdPort }, {
        timeoutMs: 2_000,
      });
      return true;
    });
  };
  let queue = Promise.resolve();
  const server = createServer((socket: Socket) => {
    let buffer = '';
    socket.setEncoding('utf8').on('data', (d: string) => {
      buffer += d;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      const line = buffer.slice(0, nl).trim();
      requests.push(line);
      queue = queue.then(async () => {
        const words = line.split(/\s+/).filter((w) => !w.startsWith('-'));
        let answer = '1\nunsupported request\n';
        if (words.at(-1) !== 'nbd-server.service') answer = `5\nUnit ${words.at(-1) ?? ''} not found.\n`;
        else if (words[0] === 'show') answer = `0\n${await mainPid()}\n`;
        else if (words[0] === 'restart') {
          try {
            await restart();
            answer = '0\n\n';
          } catch (e) {
            answer = `1\n${(e as Error).message}\n`;
          }
        }
        socket.end(answer);
      });
    });
  });
  return { requests, restart, mainPid, server };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (dpkg, unshare, cgroups, setpriv)');
  const work = await mkdtemp('/srv/omarec-sandboxed-run-');
  await chmod(work, 0o755);
  // Appliance directories outside /tmp, which the unit's PrivateTmp= hides.
  process.env.TMPDIR = work;
  const dbName = `omarec_deb_${randomBytes(4).toString('hex')}`;
  const rootUrl = 'mysql://root@127.0.0.1:3306/mysql';
  const database = await recreateDemoDatabase(rootUrl, dbName);
  const databaseUrl = demoDatabaseUrl(rootUrl, dbName);
  const appliance = await startApplianceEnv({
    db: database.db,
    databaseUrl,
    spec: { seed: 'deb', vmCount: 4, statuses: ['ready_for_failover'], vmNamePrefix: 'deb-vm-' },
  });
  const originalEnv = await readFile(ENV_FILE, 'utf8');
  const cgroups = await cgroupRoot();
  const slice = join(cgroups, `omarec-sandboxed-run-${process.pid}.slice`);
  const unitCgroup = join(slice, 'nbd-server.service');
  let daemon: ChildProcess | null = null;
  const manager = serviceManager(appliance, unitCgroup);
  try {
    if (!appliance.nbd) throw new Error(`${NBD_SERVER_BIN} is not installed`);
    await chmod(appliance.dirs.root, 0o755);
    await mkdir(unitCgroup, { recursive: true });
    await writeFile(join(unitCgroup, 'cgroup.procs'), String(await manager.mainPid()));
    await new Promise<void>((resolve) => manager.server.listen(0, '127.0.0.1', resolve));
    const managerPort = (manager.server.address() as AddressInfo).port;
    const standin = join(work, 'systemctl');
    await writeFile(
      standin,
      [
        '#!/bin/bash',
        "# systemctl stand-in: the request goes to the test's service manager, as D-Bus would to PID 1.",
        `exec 3<>/dev/tcp/127.0.0.1/${managerPort} || exit 1`,
        'printf "%s\\n" "$*" >&3',
        'IFS= read -r rc <&3; IFS= read -r out <&3',
        '[ -n "$out" ] && printf "%s\\n" "$out"',
        'exit "$rc"',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );

    const httpPort = 20_000 + Math.floor(Math.random() * 20_000);
    const token = randomBytes(16).toString('hex');
    const settings: Record<string, string> = {
      ...appliance.env({
        HTTP_LISTEN: `127.0.0.1:${httpPort}`,
        API_TOKEN: token,
        LOG_LEVEL: 'info',
        RECONCILE_MODE: 'enforce',
      }),
      STATE_DIR: '/var/lib/oma-reconciler',
    };
    await writeFile(
      ENV_FILE,
      Object.entries(settings)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    await writeFile(
      CI_CONFIG,
      JSON.stringify({
        graceSeconds: Object.fromEntries(DRIFT_KINDS.map((k) => [k, 0])),
        schedule: { resyncCron: '*/2 * * * * *', jitterMs: 100 },
      }),
      { mode: 0o644 },
    );
    const sandboxEnv = { EXTRA_RW_PATHS: appliance.dirs.confDir, SYSTEMCTL_STANDIN: standin };

    // --- The binary with no node on PATH (a directory holding only the installed command) ---------
    const bare = join(work, 'bin-without-node');
    await mkdir(bare);
    await symlink(BIN, join(bare, 'oma-reconciler'));
    const bareEnv = { ...settings, PATH: bare, HOME: '/' };
    const bareRun = (args: readonly string[]) => run('oma-reconciler', args, bareEnv);
    check('no node on the bare PATH', (await run('sh', ['-c', 'command -v node'], { PATH: bare })).code !== 0);
    const bareVersion = await bareRun(['--version']);
    check(
      '--version with no node on PATH',
      bareVersion.code === 0 && bareVersion.stdout.includes(`oma-reconciler ${VERSION} (commit `),
      bareVersion.stdout + bareVersion.stderr,
    );
    const bareMigrate = await bareRun(['migrate', '--dry-run']);
    check(
      'migrate --dry-run with no node on PATH',
      bareMigrate.code === 0,
      `exit ${bareMigrate.code}: ${bareMigrate.stdout}${bareMigrate.stderr}`,
    );
    const barePlan = await bareRun(['plan']);
    check(
      'plan with no node on PATH (exit 0: no drift yet)',
      barePlan.code === 0,
      `exit ${barePlan.code}: ${barePlan.stdout.slice(0, 400)}${barePlan.stderr.slice(0, 400)}`,
    );

    // --- The binary in the unit's sandbox, where node cannot run -------------------------------
    const noNode = await inSandbox(['sh', '-c', 'node --version'], sandboxEnv);
    check('node cannot run inside the sandbox', noNode.code !== 0, noNode.stdout);
    const version = await inSandbox([BIN, '--version'], sandboxEnv);
    check(
      '--version prints the version and the commit',
      version.code === 0 &&
        version.stdout.includes(`oma-reconciler ${VERSION} (commit `) &&
        !version.stdout.includes('development'),
      version.stdout + version.stderr,
    );
    const migrate = await inSandbox([BIN, 'migrate', '--dry-run'], sandboxEnv);
    check(
      'migrate --dry-run against the test database',
      migrate.code === 0,
      `exit ${migrate.code}: ${migrate.stdout}${migrate.stderr}`,
    );
    const plan = await inSandbox([BIN, 'plan', '--output', 'json'], sandboxEnv);
    let planJson: { items?: unknown[] } | null = null;
    try {
      planJson = JSON.parse(plan.stdout) as { items?: unknown[] };
    } catch {
      planJson = null;
    }
    check(
      'plan --output json in the sandbox (exit 0: no drift yet)',
      plan.code === 0 && planJson !== null,
      `exit ${plan.code}: ${plan.stdout.slice(0, 400)}${plan.stderr.slice(0, 400)}`,
    );

    // --- Drift that needs an export add and an export remove --------------------------------------
    const lost = appliance.world.exports[0];
    if (!lost) throw new Error('the test world has no export');
    await rm(lost.configPath);
    const ghost = randomUUID();
    const ghostName = `migration-vol-${ghost}`;
    await writeFile(
      join(appliance.dirs.confDir, `${ghostName}.conf`),
      `[${ghostName}]\nexportname = ${byIdPath(ghost, appliance.dirs.byIdDir)}\nreadonly = false\nmultifile = false\ncopyonwrite = false\n`,
    );
    await manager.restart();
    const address = { host: '127.0.0.1', port: appliance.nbdPort };
    const before = await listNbdExports(address);
    check(
      'before: the lost export is not served, the orphan is',
      !before.includes(lost.name) && before.includes(ghostName),
      before.join(','),
    );
    manager.requests.length = 0;
    const oldNbdPid = await manager.mainPid();

    // --- The daemon under the unit's sandbox -----------------------------------------------------
    const started = Date.now();
    const log = join(work, 'daemon.log');
    daemon = spawn(SANDBOX, [UNIT, BIN, 'run', '--config', CI_CONFIG], {
      env: { ...process.env, ...sandboxEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    daemon.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
    daemon.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
    const daemonPid = daemon.pid ?? 0;
    try {
      await waitFor('/readyz to answer 200', 60_000, async () =>
        (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status === 200 ? true : null,
      );
      const readyMs = Date.now() - started;
      check('the daemon becomes ready (/readyz 200)', true);
      measure('start-up to /readyz', `${readyMs} ms`);
    } catch (e) {
      check(
        'the daemon becomes ready (/readyz 200)',
        false,
        `${(e as Error).message}; /readyz: ${await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
          (r) => r.text(),
          (x: unknown) => String(x),
        )}`,
      );
    }
    const converged = await waitFor('the export add and remove to be served', 120_000, async () => {
      const live = await listNbdExports(address);
      const files = await readdir(appliance.dirs.confDir);
      return live.includes(lost.name) &&
        !live.includes(ghostName) &&
        files.includes(`${lost.name}.conf`) &&
        !files.includes(`${ghostName}.conf`)
        ? { live, files }
        : null;
    }).catch((e: unknown) => {
      check('export add and remove land in conf.d and are served after the restart', false, (e as Error).message);
      return null;
    });
    if (converged) {
      check('export add and remove land in conf.d and are served after the restart', true);
      check(
        'no temp file is left in conf.d',
        converged.files.every((f) => f.endsWith('.conf')),
        converged.files.join(','),
      );
      const added = await stat(lost.configPath);
      check(
        'the added export file is 0644 and owned by the unit user',
        (added.mode & 0o777) === 0o644 && added.uid !== 0,
        `mode ${(added.mode & 0o777).toString(8)} uid ${added.uid}`,
      );
    }
    const restarts = manager.requests.filter((r) => r.includes('restart'));
    check(
      'the daemon restarted nbd-server through systemctl',
      restarts.length >= 1 && restarts.every((r) => r === '--no-ask-password restart nbd-server.service'),
      manager.requests.join(' | '),
    );
    const newNbdPid = await manager.mainPid();
    check('nbd-server was restarted', newNbdPid > 0 && newNbdPid !== oldNbdPid, `${oldNbdPid} -> ${newNbdPid}`);
    const nbdCgroup = await readFile(`/proc/${newNbdPid}/cgroup`, 'utf8').catch(() => '');
    check(
      'the new nbd-server runs in its unit cgroup, not below the daemon',
      nbdCgroup.includes(`/omarec-sandboxed-run-${process.pid}.slice/nbd-server.service`) &&
        !(await isDescendantOf(newNbdPid, daemonPid)),
      nbdCgroup,
    );

    await delay(10_000);
    const rssKb = Number(
      /^VmRSS:\s*(\d+)/m.exec(await readFile(`/proc/${daemonPid}/status`, 'utf8').catch(() => ''))?.[1] ?? NaN,
    );
    measure('idle RSS', `${(rssKb / 1024).toFixed(0)} MiB`);
    const exited = new Promise<number | null>((resolve) => daemon?.once('close', resolve));
    daemon.kill('SIGTERM');
    const code = await exited;
    daemon = null;
    check('SIGTERM stops the daemon with exit code 0', code === 0, `exit ${code}`);
    await writeFile(log, output);
    check(
      'the daemon logged no EXDEV and no error',
      !/EXDEV|"level":"(error|fatal)"/.test(output),
      output
        .split('\n')
        .filter((l) => /EXDEV|"level":"(error|fatal)"/.test(l))
        .slice(0, 5)
        .join('\n'),
    );
    if (failed > 0) process.stdout.write(`daemon log (last lines):\n${output.split('\n').slice(-40).join('\n')}\n`);
  } finally {
    if (daemon) daemon.kill('SIGKILL');
    manager.server.close();
    await writeFile(ENV_FILE, originalEnv);
    await rm(CI_CONFIG, { force: true });
    await appliance.close();
    // An nbd-server started from inside the sandbox (the bug this test guards against) writes no
    // pid file there: find any left with our directory in its argv and stop it by PID.
    for (const entry of (await readdir('/proc')).filter((e) => /^\d+$/.test(e))) {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.startsWith(NBD_SERVER_BIN) && cmdline.includes(work)) {
        check(`no nbd-server left running from the sandbox (pid ${entry})`, false);
        process.kill(Number(entry), 'SIGTERM');
      }
    }
    for (
      let i = 0;
      i < 100 && (await readFile(join(unitCgroup, 'cgroup.procs'), 'utf8').catch(() => '')).trim() !== '';
      i++
    ) {
      await delay(50);
    }
    await rmdir(unitCgroup).catch(() => undefined);
    await rmdir(slice).catch(() => undefined);
    await sql`drop database if exists ${sql.id(dbName)}`.execute(database.db).catch(() => undefined);
    await database.close();
    await rm(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  check('the sandboxed run completes', false, (e as Error).stack ?? String(e));
}
process.stdout.write(`sandboxed-run: ${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
