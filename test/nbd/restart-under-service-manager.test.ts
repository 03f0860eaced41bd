/**
 * Issue 18: an nbd-server that is the MainPID of a systemd unit is restarted by its service
 * manager, never re-launched by us. A real nbd-server is put into a cgroup named like a unit
 * (`…/nbd-server.service`); `systemctl` is a stand-in script on PATH that records its argv and does
 * what systemd does (stops the MainPID, starts the new server inside the unit's cgroup).
 */
import { chmod, mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NBD_SERVER_BIN, createNbdSandbox, type NbdSandbox } from '../../src/appliance-world/nbd-sandbox.js';
import { probeNbdExport } from '../../src/nbd/nbd-client.js';
import { NbdExportManager } from '../../src/nbd/nbd-export-manager.js';
import { restartNbdServer } from '../../src/nbd/server-restart.js';
import { findNbdServer } from '../../src/nbd/server-process.js';
import type { NbdSignal, SignalPort } from '../../src/nbd/signal-port.js';

const isRoot = process.getuid?.() === 0;
/** The hierarchy systemd itself names units in: cgroup v1 `name=systemd`, else the unified one. */
async function cgroupRoot(): Promise<string | null> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const lines = info.split('\n');
  const v1 = lines.find((l) => / - cgroup \S+ .*name=systemd/.test(l));
  const v2 = lines.find((l) => / - cgroup2 /.test(l));
  return (v1 ?? v2)?.split(' ')[4] ?? null;
}
const root = isRoot ? await cgroupRoot() : null;
if (root === null) {
  console.warn(
    'restart-under-service-manager: skipped, needs root and a writable cgroup hierarchy to put nbd-server in a unit-named cgroup',
  );
}

const volume = 'migration-vol-7c1e2f40-9a7b-4d0e-b1a2-6a1f0c3d5e07';

async function cgroupOf(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/cgroup`, 'utf8');
}

async function isDescendantOf(pid: number, ancestor: number): Promise<boolean> {
  for (let p = pid; p > 1;) {
    if (p === ancestor) return true;
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
    p = Number(/^PPid:\s*(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return false;
}

describe.skipIf(root === null)('idle restart of an nbd-server run by systemd', () => {
  let srv: NbdSandbox;
  let bin: string;
  let slice: string;
  let unitCgroup: string;
  let oldPath: string | undefined;
  const log = (): Promise<string[]> =>
    readFile(join(bin, 'systemctl.log'), 'utf8').then(
      (t) => t.split('\n').filter((l) => l !== ''),
      () => [],
    );
  const sent: { pid: number; signal: NbdSignal }[] = [];
  const signals: SignalPort = { send: (pid, signal) => void sent.push({ pid, signal }) };

  beforeAll(async () => {
    srv = await createNbdSandbox();
    bin = await mkdtemp(join(tmpdir(), 'omarec-systemctl-'));
    slice = join(root ?? '/nonexistent', `omarec-test-${process.pid}.slice`);
    unitCgroup = join(slice, 'nbd-server.service');
    await mkdir(unitCgroup, { recursive: true });
    // The stand-in: records argv; `show` answers the MainPID from the pid file; `restart` stops the
    // main process and starts nbd-server from inside the unit's cgroup, as systemd's Type=forking would.
    await writeFile(
      join(bin, 'systemctl'),
      [
        '#!/bin/sh',
        `echo "$*" >> "${join(bin, 'systemctl.log')}"`,
        'unit=""; verb=""',
        'for a in "$@"; do case "$a" in -*) ;; show|restart) verb=$a ;; *) unit=$a ;; esac; done',
        `[ "$unit" = nbd-server.service ] || { echo "Unit $unit not found." >&2; exit 5; }`,
        `main=$(cat "${srv.pidFile}" 2>/dev/null || echo 0)`,
        'if [ "$verb" = show ]; then echo "$main"; exit 0; fi',
        'if [ "$verb" = restart ]; then',
        '  kill -TERM "$main"; while [ -d "/proc/$main" ] && ! grep -q "^State:.*Z" "/proc/$main/status" 2>/dev/null; do sleep 0.05; done',
        `  echo $$ > "${join(unitCgroup, 'cgroup.procs')}"`,
        `  exec ${NBD_SERVER_BIN} -C "${srv.baseConfig}" -p "${srv.pidFile}"`,
        'fi',
        'exit 1',
        '',
      ].join('\n'),
    );
    await chmod(join(bin, 'systemctl'), 0o755);
    oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath ?? '/usr/bin:/bin'}`;
  });

  beforeEach(async () => {
    await rm(join(bin, 'systemctl.log'), { force: true });
    sent.length = 0;
    if ((await srv.currentPid()) === null || !(await findNbdServer(srv.pidFile)).running) await srv.start();
    // The running server becomes the unit's main process.
    await writeFile(join(unitCgroup, 'cgroup.procs'), String(await srv.currentPid()));
  });

  afterAll(async () => {
    process.env.PATH = oldPath;
    await srv.cleanup();
    for (
      let i = 0;
      i < 200 && (await readFile(join(unitCgroup, 'cgroup.procs'), 'utf8').catch(() => '')).trim() !== '';
      i++
    ) {
      await delay(25);
    }
    await rmdir(unitCgroup).catch(() => undefined);
    await rmdir(slice).catch(() => undefined);
    await rm(bin, { recursive: true, force: true });
  });

  it('adds an export through `systemctl restart nbd-server.service`, and the new server is never our child', async () => {
    const manager = new NbdExportManager({
      baseConfig: srv.baseConfig,
      confDir: srv.confDir,
      pidFile: srv.pidFile,
      address: srv.address,
      stateDir: srv.stateDir,
      signals,
    });
    const oldPid = await srv.currentPid();
    const added = await manager.addExport({ name: volume, exportname: await srv.disk('vol.img', 1 << 20) });
    expect(added).toMatchObject({ status: 'pending', change: 'add' });
    const pass = await manager.applyPending({ allowRestart: true });
    expect(pass).toMatchObject({ action: 'restart' });
    expect(pass.outcomes).toContainEqual(expect.objectContaining({ exportName: volume, status: 'applied' }));
    expect(await probeNbdExport(srv.address, volume)).toEqual({ ok: true, size: BigInt(1 << 20) });

    expect(await log()).toEqual([
      'show --property=MainPID --value nbd-server.service',
      '--no-ask-password restart nbd-server.service',
    ]);
    expect(sent).toEqual([]);
    const newPid = await srv.currentPid();
    expect(newPid).not.toBe(oldPid);
    if (newPid === null) throw new Error('no new nbd-server');
    // In the unit's cgroup (it survives our stop), not in ours, and not below us in the process tree.
    expect(await cgroupOf(newPid)).toContain(`/omarec-test-${process.pid}.slice/nbd-server.service`);
    expect(await cgroupOf(newPid)).not.toBe(await cgroupOf(process.pid));
    expect(await isDescendantOf(newPid, process.pid)).toBe(false);

    // And back: the removal is also applied by the service manager.
    const removed = await manager.removeExport(volume);
    expect(removed).toMatchObject({ status: 'pending', change: 'remove' });
    const second = await manager.applyPending({ allowRestart: true });
    expect(second.outcomes).toContainEqual(expect.objectContaining({ exportName: volume, status: 'applied' }));
    expect(await srv.nbdClientList()).not.toContain(volume);
    expect((await log()).filter((l) => l.includes('restart'))).toHaveLength(2);
    expect(sent).toEqual([]);
  });

  it('runs NBD_RESTART_COMMAND as given instead of asking systemd', async () => {
    const server = await findNbdServer(srv.pidFile);
    if (!server.running) throw new Error(server.reason);
    const next = await restartNbdServer(server.server, {
      pidFile: srv.pidFile,
      address: srv.address,
      signals,
      startCommand: [],
      restartCommand: ['systemctl', 'restart', 'nbd-server.service'],
    });
    expect(next.pid).not.toBe(server.server.pid);
    expect(await log()).toEqual(['restart nbd-server.service']);
    expect(sent).toEqual([]);
  });

  it("restarts a unit that has no main process (Debian's generated LSB unit: MainPID 0) through systemctl", async () => {
    const server = await findNbdServer(srv.pidFile);
    if (!server.running) throw new Error(server.reason);
    // As systemd answers for the unit generated from /etc/init.d/nbd-server; restart as usual.
    await writeFile(
      join(bin, 'lsb-systemctl'),
      `#!/bin/sh\ncase "$*" in show*) echo "$*" >> "${join(bin, 'systemctl.log')}"; echo 0 ;; *) exec "${join(bin, 'systemctl')}" "$@" ;; esac\n`,
    );
    await chmod(join(bin, 'lsb-systemctl'), 0o755);
    const next = await restartNbdServer(server.server, {
      pidFile: srv.pidFile,
      address: srv.address,
      signals,
      startCommand: [],
      systemctl: join(bin, 'lsb-systemctl'),
    });
    expect(next.pid).not.toBe(server.server.pid);
    expect(await log()).toEqual([
      'show --property=MainPID --value nbd-server.service',
      '--no-ask-password restart nbd-server.service',
    ]);
    expect(sent).toEqual([]);
    expect(await cgroupOf(next.pid)).toContain(`/omarec-test-${process.pid}.slice/nbd-server.service`);
  });

  it('refuses, touching nothing, when the server is in a unit whose MainPID is another process', async () => {
    const server = await findNbdServer(srv.pidFile);
    if (!server.running) throw new Error(server.reason);
    // A stand-in that reports another MainPID.
    await writeFile(
      join(bin, 'other-systemctl'),
      `#!/bin/sh\necho "$*" >> "${join(bin, 'systemctl.log')}"\necho 4242\n`,
    );
    await chmod(join(bin, 'other-systemctl'), 0o755);
    await expect(
      restartNbdServer(server.server, {
        pidFile: srv.pidFile,
        address: srv.address,
        signals,
        startCommand: [],
        systemctl: join(bin, 'other-systemctl'),
      }),
    ).rejects.toThrow(/nbd-server\.service whose MainPID is 4242.*NBD_RESTART_COMMAND/);
    expect(sent).toEqual([]);
    expect(await srv.currentPid()).toBe(server.server.pid);
  });
});
