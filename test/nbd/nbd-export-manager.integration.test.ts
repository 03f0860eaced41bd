import { readFileSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listNbdExports, openNbdSession, probeNbdExport, type NbdSession } from '../../src/nbd/nbd-client.js';
import { NbdExportManager } from '../../src/nbd/nbd-export-manager.js';
import { observeNbd } from '../../src/nbd/observe-nbd.js';
import { findNbdServer } from '../../src/nbd/server-process.js';
import type { NbdSignal, SignalPort } from '../../src/nbd/signal-port.js';
import { createNbdSandbox, type NbdSandbox } from '../../src/appliance-world/nbd-sandbox.js';

const MiB = 1 << 20;
const volume = (n: number): string => `migration-vol-${n}b3bb931-1b59-4f62-97e8-cefffdfe3804`;

/** Records every signal and refuses (throws) if one were ever aimed at a per-connection child. */
function recordingSignalPort(sent: { pid: number; signal: NbdSignal }[]): SignalPort {
  return {
    send: (pid, signal) => {
      const ppid = Number(/^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      const parentName = (() => {
        try {
          return /^Name:\s*(\S+)/m.exec(readFileSync(`/proc/${ppid}/status`, 'utf8'))?.[1];
        } catch {
          return undefined;
        }
      })();
      if (parentName === 'nbd-server') throw new Error(`signal ${signal} aimed at child ${pid}`);
      sent.push({ pid, signal });
      process.kill(pid, signal);
    },
  };
}

async function childrenOf(parent: number): Promise<number[]> {
  const out: number[] = [];
  for (const e of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const status = await readFile(`/proc/${e}/status`, 'utf8').catch(() => '');
    if (new RegExp(`^PPid:\\s*${parent}$`, 'm').test(status) && /^Name:\s*nbd-server$/m.test(status)) {
      out.push(Number(e));
    }
  }
  return out;
}

describe('NbdExportManager against a real nbd-server 3.24', () => {
  let srv: NbdSandbox;
  let manager: NbdExportManager;
  const sent: { pid: number; signal: NbdSignal }[] = [];
  const sessions: NbdSession[] = [];

  beforeAll(async () => {
    srv = await createNbdSandbox();
    // Two exports the way the appliance writes them (no authfile), present before the server starts.
    for (const n of [1, 2]) {
      await writeFile(
        join(srv.confDir, `${volume(n)}.conf`),
        `[${volume(n)}]\nexportname = ${await srv.disk(`legacy-${n}.img`)}\nreadonly = false\nmultifile = false\ncopyonwrite = false\n`,
      );
    }
    await srv.start();
    manager = new NbdExportManager({
      baseConfig: srv.baseConfig,
      confDir: srv.confDir,
      pidFile: srv.pidFile,
      address: srv.address,
      stateDir: srv.stateDir,
      signals: recordingSignalPort(sent),
    });
  });

  afterAll(async () => {
    for (const s of sessions) await s.close().catch(() => undefined);
    await srv.cleanup();
  });

  it('lists exactly what nbd-client -l lists, in the same order', async () => {
    const reference = await srv.nbdClientList();
    expect(reference).toEqual(expect.arrayContaining(['dummy', volume(1), volume(2)]));
    expect(await listNbdExports(srv.address)).toEqual(reference);
  });

  it('observes the running parent, its version, no sessions and the configured exports', async () => {
    const obs = await observeNbd({ ...srv, stateDir: srv.stateDir });
    expect(obs.complete).toBe(true);
    expect(obs.facts.server).toMatchObject({
      running: true,
      pid: await srv.currentPid(),
      version: '3.24',
      sessions: 0,
    });
    expect(obs.facts.server.liveExports).toEqual(await srv.nbdClientList());
    expect(obs.facts.configured.map((c) => [c.name, c.managed])).toEqual(
      expect.arrayContaining([
        ['dummy', false],
        [volume(1), false],
        [volume(2), false],
      ]),
    );
    expect(obs.inventory).toBe(3);
  });

  it('makes an added export connectable on 3.24 by an idle restart, without any SIGHUP', async () => {
    const name = volume(3);
    const oldPid = await srv.currentPid();
    const outcome = await manager.addExport({ name, exportname: await srv.disk('vol-3.img', 4 * MiB) });
    expect(outcome).toMatchObject({ status: 'pending', change: 'add' });
    expect(outcome.reason).toMatch(/3\.24 corrupts its heap on SIGHUP/);
    expect((await probeNbdExport(srv.address, name)).ok).toBe(false);

    const pass = await manager.applyPending({ allowRestart: true });
    expect(pass).toMatchObject({ action: 'restart', version: '3.24', sessions: 0 });
    expect(pass.outcomes).toContainEqual(expect.objectContaining({ exportName: name, status: 'applied' }));
    expect(await probeNbdExport(srv.address, name)).toEqual({ ok: true, size: BigInt(4 * MiB) });
    expect(await srv.nbdClientList()).toContain(name);
    expect(await srv.currentPid()).not.toBe(oldPid);
    expect(sent).toEqual([{ pid: oldPid, signal: 'SIGTERM' }]);
    expect(await manager.pending()).toEqual([]);
  });

  it('refuses new connections to a removed export at once and drops it at the next idle restart', async () => {
    const name = volume(4);
    await manager.addExport({ name, exportname: await srv.disk('vol-4.img') }, { apply: true, allowRestart: true });
    expect((await probeNbdExport(srv.address, name)).ok).toBe(true);

    const removed = await manager.removeExport(name);
    expect(removed).toMatchObject({ status: 'pending', change: 'remove' });
    expect(removed.reason).toMatch(/refused at once through its authfile/);
    expect(removed.backup).toBeDefined();
    const probe = await probeNbdExport(srv.address, name);
    expect(probe.ok).toBe(false);
    expect(probe.ok ? '' : probe.reason).toMatch(/NBD_REP_ERR_POLICY/);
    expect(await srv.nbdClientList()).toContain(name);

    const pass = await manager.applyPending({ allowRestart: true });
    expect(pass.action).toBe('restart');
    expect(await srv.nbdClientList()).not.toContain(name);
    expect(await manager.removeExport(name)).toMatchObject({ status: 'applied', change: 'none' });
  });

  it('treats a changed path of a served export as an update that only a restart applies', async () => {
    const name = volume(9);
    await manager.addExport(
      { name, exportname: await srv.disk('vol-9a.img', 2 * MiB) },
      { apply: true, allowRestart: true },
    );
    expect(await probeNbdExport(srv.address, name)).toEqual({ ok: true, size: BigInt(2 * MiB) });
    const changed = await manager.addExport({ name, exportname: await srv.disk('vol-9b.img', 3 * MiB) });
    expect(changed).toMatchObject({ status: 'pending', change: 'update', backup: expect.any(String) });
    expect(await probeNbdExport(srv.address, name)).toEqual({ ok: true, size: BigInt(2 * MiB) });
    const pass = await manager.applyPending({ allowRestart: true });
    expect(pass.outcomes).toContainEqual(
      expect.objectContaining({ exportName: name, change: 'update', status: 'applied' }),
    );
    expect(await probeNbdExport(srv.address, name)).toEqual({ ok: true, size: BigInt(3 * MiB) });
  });

  it('refuses to restart while a client session is open, keeps the change pending with a reason, and the session survives', async () => {
    const session = await openNbdSession(srv.address, volume(3));
    sessions.push(session);
    const name = volume(5);
    const signalsBefore = sent.length;
    await manager.addExport({ name, exportname: await srv.disk('vol-5.img') });

    const pass = await manager.applyPending({ allowRestart: true });
    expect(pass).toMatchObject({ action: 'deferred', sessions: 1 });
    const mine = pass.outcomes.find((o) => o.exportName === name);
    expect(mine).toMatchObject({ status: 'pending', change: 'add' });
    expect(mine?.reason).toMatch(/1 live session\(s\) would be dropped by a restart/);
    expect(sent.length).toBe(signalsBefore);
    expect((await session.read(0n, 4096)).length).toBe(4096);

    const stored = JSON.parse(await readFile(join(srv.stateDir, 'nbd-pending.json'), 'utf8')) as {
      changes: { exportName: string; reason: string }[];
    };
    expect(stored.changes).toContainEqual(expect.objectContaining({ exportName: name, reason: mine?.reason }));
    const obs = await observeNbd({ ...srv, stateDir: srv.stateDir });
    expect(obs.facts.server.sessions).toBe(1);
    expect(obs.facts.pending.map((p) => p.exportName)).toContain(name);

    await session.close();
    sessions.pop();
    expect((await manager.applyPending({ allowRestart: true })).action).toBe('restart');
    expect((await probeNbdExport(srv.address, name)).ok).toBe(true);
  });

  it('does not treat a pid file that names a per-connection child as the server', async () => {
    const session = await openNbdSession(srv.address, 'dummy');
    sessions.push(session);
    const parent = (await srv.currentPid()) ?? 0;
    const [child] = await childrenOf(parent);
    expect(child).toBeDefined();
    const fakePidFile = join(srv.dir, 'child.pid');
    await writeFile(fakePidFile, `${child}\n`);

    const found = await findNbdServer(fakePidFile);
    expect(found).toMatchObject({ running: false });
    expect(found.running ? '' : found.reason).toMatch(/per-connection child/);
    const signalsBefore = sent.length;
    const confused = new NbdExportManager({
      ...srv,
      pidFile: fakePidFile,
      stateDir: srv.stateDir,
      signals: recordingSignalPort(sent),
    });
    await manager.addExport({ name: volume(6), exportname: await srv.disk('vol-6.img') });
    expect((await confused.applyPending({ allowRestart: true })).action).toBe('refused');
    expect(sent.length).toBe(signalsBefore);
    expect((await session.read(0n, 512)).length).toBe(512);
    await session.close();
    sessions.pop();
  });

  it('attempts no reload at all while any config file is broken, and the server keeps serving', async () => {
    const pid = await srv.currentPid();
    const signalsBefore = sent.length;
    await writeFile(join(srv.confDir, 'manual.conf'), `[manual]\nexportname = ${await srv.disk('manual.img')}\n`);
    await writeFile(join(srv.confDir, 'broken.conf'), '[broken]\nexportname = /dev/null\nreadonly = yes\n');
    const pass = await manager.applyPending({ allowRestart: true });
    expect(pass.action).toBe('deferred');
    expect(pass.outcomes).toContainEqual(
      expect.objectContaining({
        exportName: 'manual',
        status: 'pending',
        reason: expect.stringMatching(/config has errors.*broken\.conf/),
      }),
    );
    expect(sent.length).toBe(signalsBefore);
    expect(await srv.currentPid()).toBe(pid);
    expect((await probeNbdExport(srv.address, 'dummy')).ok).toBe(true);
    const refusedAdd = await manager.addExport({ name: volume(7), exportname: await srv.disk('vol-7.img') });
    expect(refusedAdd).toMatchObject({ status: 'refused', reason: expect.stringMatching(/broken\.conf/) });
    await rm(join(srv.confDir, 'broken.conf'));
    await rm(join(srv.confDir, 'manual.conf'));
  });

  it('reports an export whose device is missing as failed after the restart, without restarting again', async () => {
    const name = volume(8);
    const pass = await manager.addExport(
      { name, exportname: join(srv.dir, 'not-there.img') },
      { apply: true, allowRestart: true },
    );
    expect(pass).toMatchObject({
      status: 'failed',
      exportName: name,
      reason: expect.stringMatching(/not connectable: .*NBD_REP_ERR_POLICY/),
    });
    const signalsBefore = sent.length;
    expect((await manager.applyPending({ allowRestart: true })).action).toBe('none');
    expect(sent.length).toBe(signalsBefore);
  });

  it('never sent a SIGHUP to the 3.24 server, and only ever signalled verified parents', () => {
    expect(sent.filter((s) => s.signal === 'SIGHUP')).toEqual([]);
    expect(sent.length).toBeGreaterThanOrEqual(3);
  });
});
