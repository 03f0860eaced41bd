/**
 * A real Debian nbd-server (/usr/bin/nbd-server) for integration tests: temp base config with
 * `includedir`, `[generic]` on a random free loopback port, `listenaddr 127.0.0.1`,
 * `allowlist = true`, pid file in the temp dir, the required dummy export, and sparse backing
 * files. Every PID it ever sees in the pid file is remembered so `cleanup()` can stop them all,
 * by PID, even after the code under test restarted the server.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const NBD_SERVER_BIN = '/usr/bin/nbd-server';

export interface NbdTestServer {
  readonly dir: string;
  readonly baseConfig: string;
  readonly confDir: string;
  readonly pidFile: string;
  readonly stateDir: string;
  readonly port: number;
  readonly address: { readonly host: string; readonly port: number };
  /** Starts the server with absolute -C and -p; resolves with the parent PID once it lists. */
  start(): Promise<number>;
  /** The PID in the pid file now (remembered for cleanup), or null. */
  currentPid(): Promise<number | null>;
  /** Creates a sparse backing file of `bytes` and returns its absolute path. */
  disk(name: string, bytes?: number): Promise<string>;
  /** `nbd-client -l 127.0.0.1 PORT` names, exactly as the reference client prints them. */
  nbdClientList(): Promise<string[]>;
  /** Stops every server this helper has seen (SIGTERM by PID) and removes the temp dir. */
  cleanup(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function procStatus(pid: number): Promise<string | null> {
  return readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
}

function alive(status: string | null): boolean {
  return status !== null && /^Name:\s*nbd-server$/m.test(status) && !/^State:\s*[ZX]/m.test(status);
}

function run(cmd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** Creates the temp layout; call `start()` to run the server and `cleanup()` in afterAll. */
export async function createNbdTestServer(): Promise<NbdTestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'omarec-nbd-'));
  const confDir = join(dir, 'conf.d');
  const stateDir = join(dir, 'state');
  const baseConfig = join(dir, 'config-base');
  const pidFile = join(dir, 'nbd-server.pid');
  await mkdir(confDir);
  await mkdir(stateDir);
  await writeFile(join(dir, 'dummy.img'), '');
  await truncate(join(dir, 'dummy.img'), 1 << 20);
  const port = await freePort();
  await writeFile(
    baseConfig,
    [
      '[generic]',
      `    port = ${port}`,
      '    listenaddr = 127.0.0.1',
      '    allowlist = true',
      `    includedir = ${confDir}`,
      '[dummy]',
      `    exportname = ${join(dir, 'dummy.img')}`,
      '    readonly = true',
      '',
    ].join('\n'),
  );
  const seen = new Set<number>();
  // Safety net if the worker dies before afterAll: stop our servers (by PID) on exit.
  const onExit = (): void => {
    for (const pid of seen) {
      try {
        if (alive(readFileSync(`/proc/${pid}/status`, 'utf8'))) process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', onExit);
  const currentPid = async (): Promise<number | null> => {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 1) return null;
    seen.add(pid);
    return pid;
  };
  const nbdClientList = async (): Promise<string[]> => {
    const { code, stdout, stderr } = await run('nbd-client', ['-l', '127.0.0.1', String(port)]);
    if (code !== 0) throw new Error(`nbd-client -l failed (${code}): ${stderr}`);
    return stdout.split('\n').filter((l) => l !== '' && !l.startsWith('Negotiation'));
  };
  return {
    dir, baseConfig, confDir, pidFile, stateDir, port,
    address: { host: '127.0.0.1', port },
    currentPid,
    nbdClientList,
    disk: async (name, bytes = 1 << 20) => {
      const path = join(dir, name);
      await writeFile(path, '');
      await truncate(path, bytes);
      return path;
    },
    start: async () => {
      const launcher = spawn(NBD_SERVER_BIN, ['-C', baseConfig, '-p', pidFile], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
      let stderr = '';
      launcher.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => launcher.once('close', resolve));
      if (code !== 0) throw new Error(`nbd-server did not start (${code}): ${stderr}`);
      for (let i = 0; i < 400; i++) {
        const pid = await currentPid();
        const status = pid === null ? null : await procStatus(pid);
        const sigCgt = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)/m.exec(status ?? '')?.[1] ?? '0'}`);
        if (pid !== null && alive(status) && (sigCgt & 1n) === 1n && (await nbdClientList().then(() => true, () => false))) return pid;
        await delay(25);
      }
      throw new Error('nbd-server did not become ready within 10 s');
    },
    cleanup: async () => {
      process.removeListener('exit', onExit);
      await currentPid();
      for (const pid of seen) {
        if (!alive(await procStatus(pid))) continue;
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 400 && alive(await procStatus(pid)); i++) await delay(25);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
