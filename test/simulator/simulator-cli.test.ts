import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { independentRequest } from './helpers/independent-signer.js';

const BIN = fileURLToPath(new URL('../../bin/oma-reconciler.js', import.meta.url));
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

/** Starts the CLI and resolves once it printed its URL. */
function launch(
  args: string[],
): Promise<{ child: ChildProcessWithoutNullStreams; out: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
  let out = '';
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', resolve);
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('secret key:')) resolve({ child, out: () => out, exit });
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exit.then((code) => {
      reject(new Error(`simulator exited with ${String(code)}: ${out}`));
    });
  });
}

describe('oma-reconciler simulator', () => {
  it('serves on --port with the given keys a world any correct signer can use, and stops cleanly on SIGINT', async () => {
    const port = await freePort();
    const state = join(dir, 'state.json');
    await writeFile(
      state,
      JSON.stringify({ virtualMachines: [{ name: 'oma' }], volumes: [{ name: 'migration-pgtest1-pgtest1-disk-0' }] }),
    );
    const { child, out, exit } = await launch([
      'simulator',
      '--port',
      String(port),
      '--api-key',
      'K',
      '--secret-key',
      'S',
      '--state',
      state,
      '--oma-vm',
      'oma-appliance',
    ]);
    try {
      expect(out()).toContain(`url:        http://127.0.0.1:${port}/client/api`);
      expect(out()).toContain('loaded 2 VMs, 3 volumes');
      const omaVmId = /OMA VM: +(\S+)/.exec(out())?.[1] ?? '';
      const url = `http://127.0.0.1:${port}/client/api`;
      const call = (command: string, extra: [string, string][] = []) =>
        independentRequest(url, [['command', command], ['response', 'json'], ['apiKey', 'K'], ...extra], 'S');
      const volumes = await call('listVolumes', [['listall', 'true']]);
      expect(volumes.json.listvolumesresponse?.count).toBe(3);
      const oma = await call('listVirtualMachines', [['id', omaVmId]]);
      expect(oma.json.listvirtualmachinesresponse).toMatchObject({
        count: 1,
        virtualmachine: [{ name: 'oma-appliance', state: 'Running' }],
      });
      const zones = await call('listZones');
      const zoneId = String((zones.json.listzonesresponse?.zone as { id: string }[])[0]?.id);
      const offerings = await call('listDiskOfferings');
      const diskOfferingId = String(
        (offerings.json.listdiskofferingsresponse?.diskoffering as { id: string }[])[0]?.id,
      );
      const created = await call('createVolume', [
        ['name', 'made-by-a-third-party'],
        ['zoneid', zoneId],
        ['diskofferingid', diskOfferingId],
        ['size', '5'],
      ]);
      expect(created.json.createvolumeresponse).toHaveProperty('jobid');
      expect((await call('listVolumes', [['name', 'made-by-a-third-party']])).json.listvolumesresponse?.count).toBe(1);
      expect(
        (
          await independentRequest(
            url,
            [
              ['command', 'listVolumes'],
              ['response', 'json'],
              ['apiKey', 'K'],
            ],
            'not-S',
          )
        ).status,
      ).toBe(401);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exit).toBe(0);
    expect(out()).toContain('CloudStack simulator stopped');
  });

  it('refuses --api-key without --secret-key with exit code 2', async () => {
    const child = spawn(process.execPath, [BIN, 'simulator', '--port', '0', '--api-key', 'K'], { stdio: 'pipe' });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--api-key and --secret-key go together');
  });
});
