import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NbdExportManager } from '../../src/nbd/nbd-export-manager.js';
import { NbdVersionCache } from '../../src/nbd/server-version.js';
import type { NbdSignal } from '../../src/nbd/signal-port.js';
import { createNbdSandbox, type NbdSandbox } from '../../src/appliance-world/nbd-sandbox.js';

/** Pretends the binary is a fixed 3.26.1, to drive the ≥ 3.25 code path. */
class PretendFixedVersion extends NbdVersionCache {
  override versionOf(): Promise<string> {
    return Promise.resolve('3.26.1');
  }
}

describe('the SIGHUP path (≥ 3.25), driven against 3.24 with the HUP intercepted', () => {
  let srv: NbdSandbox;
  const sent: { pid: number; signal: NbdSignal }[] = [];

  beforeAll(async () => {
    srv = await createNbdSandbox();
    await srv.start();
  });

  afterAll(async () => {
    await srv.cleanup();
  });

  it('sends one coalesced SIGHUP to the verified parent for several additions, and reports a non-converging reload as failed and still pending', async () => {
    const manager = new NbdExportManager({
      ...srv,
      stateDir: srv.stateDir,
      versions: new PretendFixedVersion(),
      timeoutMs: 1_000,
      // Record, never deliver: a real HUP would corrupt this 3.24 server's heap.
      signals: { send: (pid, signal) => sent.push({ pid, signal }) },
    });
    for (const n of ['hup-a', 'hup-b']) {
      const outcome = await manager.addExport({ name: n, exportname: await srv.disk(`${n}.img`) });
      expect(outcome.reason).toMatch(/adds it with one SIGHUP/);
    }
    const pid = await srv.currentPid();
    const pass = await manager.applyPending({ allowRestart: true });
    expect(sent).toEqual([{ pid, signal: 'SIGHUP' }]);
    expect(pass).toMatchObject({ action: 'failed', version: '3.26.1' });
    expect(pass.reason).toMatch(/^SIGHUP did not converge: not listed: (hup-a, hup-b|hup-b, hup-a);/);
    expect((await manager.pending()).map((p) => `${p.change}:${p.exportName}`).sort()).toEqual([
      'add:hup-a',
      'add:hup-b',
    ]);
    expect(await srv.currentPid()).toBe(pid);
    expect(await srv.nbdClientList()).toEqual(['dummy']);
  });
});
