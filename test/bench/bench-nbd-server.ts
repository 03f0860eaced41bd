/**
 * A real nbd-server over a benchmark appliance's conf.d. The fixtures' sandbox waits at most 10 s
 * and judges readiness with `nbd-client -l`, which breaks off long listings (tens of thousands of
 * exports); here readiness is the project's own NBD_OPT_LIST client returning every configured
 * export, with a deadline that grows with the fleet. Stopped by PID only.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execFile } from 'node:child_process';
import { NBD_SERVER_BIN } from '../../src/appliance-world/nbd-sandbox.js';
import { listNbdExports } from '../../src/nbd/nbd-client.js';
import { isProcessGone } from '../../src/nbd/server-process.js';

/** A running server; `stop()` sends SIGTERM to the PID in its pid file and waits until it is gone. */
export interface BenchNbdServer {
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** True when nbd-server is installed (otherwise the appliance runs without one). */
export function nbdServerInstalled(): boolean {
  return existsSync(NBD_SERVER_BIN);
}

type NbdDirs = {
  readonly root: string;
  readonly confDir: string;
  readonly baseConfig: string;
  readonly pidFile: string;
};

/** Writes the base config (`[generic]` on a free loopback port, `includedir` = conf.d, a dummy export); returns the port. */
export async function writeBenchBaseConfig(dirs: NbdDirs): Promise<number> {
  const port = await freePort();
  const dummy = join(dirs.root, 'dummy.img');
  await writeFile(dummy, '');
  await truncate(dummy, 1 << 20);
  await writeFile(
    dirs.baseConfig,
    `[generic]\n    port = ${port}\n    listenaddr = 127.0.0.1\n    allowlist = true\n    includedir = ${dirs.confDir}\n[dummy]\n    exportname = ${dummy}\n    readonly = true\n`,
  );
  return port;
}

/** Starts nbd-server on the base config written by {@link writeBenchBaseConfig}; resolves once it lists every export. */
export async function startBenchNbdServer(dirs: NbdDirs, port: number): Promise<BenchNbdServer> {
  const expected = (await readdir(dirs.confDir)).filter((n) => n.endsWith('.conf')).length + 1;
  await new Promise<void>((resolve, reject) => {
    execFile(NBD_SERVER_BIN, ['-C', dirs.baseConfig, '-p', dirs.pidFile], { timeout: 300_000 }, (e, _out, stderr) => {
      if (e) reject(new Error(`nbd-server did not start: ${stderr || e.message}`));
      else resolve();
    });
  });
  const pid = async (): Promise<number | null> => {
    const n = Number((await readFile(dirs.pidFile, 'utf8').catch(() => '')).trim());
    return Number.isInteger(n) && n > 1 ? n : null;
  };
  const serverPid = await pid();
  // Safety net if this process dies before `stop()`: the server is ours, stop it by its PID.
  const onExit = (): void => {
    if (serverPid === null) return;
    try {
      process.kill(serverPid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    if (serverPid === null || (await isProcessGone(serverPid))) return;
    process.kill(serverPid, 'SIGTERM');
    while (!(await isProcessGone(serverPid))) await delay(20);
  };
  const deadline = Date.now() + 30_000 + expected * 2;
  for (;;) {
    const names = await listNbdExports({ host: '127.0.0.1', port }, { timeoutMs: 30_000 }).catch(() => [] as string[]);
    if (names.length >= expected) return { stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nbd-server listed ${names.length} of ${expected} exports before the deadline`);
    }
    await delay(100);
  }
}
